"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 in a thread that checks each
delivery's signature the way README.md tells receivers to, records it, and answers from a
script (a status code per request, or HOLD: keep the request open until released)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOLD = "hold"
HOLD_LIMIT_S = 60


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool

    @property
    def delivery_id(self) -> str:
        return self.headers["x-stagdb-delivery"]

    @property
    def event(self) -> str:
        return self.headers["x-stagdb-event"]

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.secret = ""
        self.received: list[Received] = []
        self._answers: deque[int | str] = deque()
        self._released = threading.Event()
        self._changed = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def script(self, *answers: int | str) -> None:
        """How to answer the next requests, in order; afterwards every request gets 200."""
        with self._changed:
            self._answers.extend(answers)

    def release(self) -> None:
        """Let held requests (and any later HOLD) answer 200 now."""
        self._released.set()

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                signed = expected_signature(
                    receiver.secret, headers.get("x-stagdb-timestamp", ""), body
                )
                valid = hmac.compare_digest(signed, headers.get("x-stagdb-signature", ""))
                answer = receiver._record(Received(self.path, headers, body, valid))
                if answer == HOLD:
                    receiver._released.wait(HOLD_LIMIT_S)
                    answer = 200
                self.send_response(int(answer))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the test reports what matters."""

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                """A held request whose sender died cannot be answered; that is expected."""

        self._server = Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _record(self, received: Received) -> int | str:
        with self._changed:
            self.received.append(received)
            self._changed.notify_all()
            return self._answers.popleft() if self._answers else 200

    def wait_for(self, count: int, timeout_s: float = 30) -> list[Received]:
        """The first `count` requests received, waiting up to `timeout_s` for them."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} webhook requests within {timeout_s} s, got "
                        f"{[(r.event, r.delivery_id) for r in self.received]}"
                    )
                self._changed.wait(left)
            return list(self.received[:count])
