"""Bounded requests, measured against a real server.

- Slow headers: seconds from connecting to the server closing a connection whose client sends
  a header byte every 0.2 s (STAGDB_HEADER_TIMEOUT=2 here), median of --count.
- Oversized bodies: seconds to the 413 for a declared 10 MiB body (the server answers before
  a byte of it is sent), and for a chunked 10 MiB body, with how many bytes the client got to
  send before the refusal (the cap is 64 KiB).

Usage: .venv/bin/python -m bench.bounds [--count 5]
"""

from __future__ import annotations

import argparse
import socket
import time
from collections.abc import Iterator

import httpx

from bench.common import bench_server, summary

HEADER_TIMEOUT_S = 2
BODY_BYTES = 10 * 1024 * 1024


def slow_header_cutoff(host: str, port: int) -> float:
    with socket.create_connection((host, port), timeout=30) as slow:
        opened = time.monotonic()
        slow.sendall(b"GET /v1/health HTTP/1.1\r\nHost: bench\r\n")
        slow.settimeout(0.2)
        while True:
            try:
                slow.sendall(b"X")
                if slow.recv(1024) == b"":
                    return time.monotonic() - opened
            except TimeoutError:
                continue
            except (ConnectionResetError, BrokenPipeError):
                return time.monotonic() - opened


def declared_refusal(base: str, key: str) -> float:
    """A request head announcing 10 MiB, then nothing: the 413 comes without the body."""
    url = httpx.URL(base)
    head = (
        f"POST /v1/databases HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {BODY_BYTES}\r\n\r\n"
    ).encode()
    with socket.create_connection((url.host, int(url.port or 80)), timeout=30) as client:
        started = time.monotonic()
        client.sendall(head)
        answer = client.recv(4096)
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    return elapsed


def chunked_refusal(base: str, key: str) -> tuple[float, int]:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(BODY_BYTES // 16384):
            sent += 16384
            yield b" " * 16384

    started = time.monotonic()
    try:
        answer = httpx.post(
            f"{base}/databases",
            content=chunks(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            timeout=60,
        )
        assert answer.status_code == 413, answer.text
    except httpx.TransportError:
        pass  # the server closed the connection while the client was still sending
    return time.monotonic() - started, sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5)
    args = parser.parse_args()
    with bench_server({"STAGDB_HEADER_TIMEOUT": str(HEADER_TIMEOUT_S)}) as api:
        base = str(api.base_url).rstrip("/")
        key = api.headers["Authorization"].removeprefix("Bearer ")
        url = httpx.URL(base)
        cutoffs = [slow_header_cutoff(url.host, int(url.port or 80)) for _ in range(args.count)]
        print(summary(f"slow headers cut off (timeout {HEADER_TIMEOUT_S} s)", cutoffs))
        declared = [declared_refusal(base, key) for _ in range(args.count)]
        print(summary("413 for a declared 10 MiB body", declared))
        refusals = [chunked_refusal(base, key) for _ in range(args.count)]
        print(summary("413 for a chunked 10 MiB body", [seconds for seconds, _ in refusals]))
        print(f"bytes sent before the refusal: max={max(sent for _, sent in refusals)}")


if __name__ == "__main__":
    main()
