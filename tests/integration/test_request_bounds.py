"""Bounded requests against a real server: oversized bodies answer 413 before they are read
whole, GraphQL documents over the depth, alias and token limits are VALIDATION_ERRORs, live
reads and WebSocket operations count against the key's budget, a client sending its headers
a byte a second is cut off while others are served, and past the concurrency limit the server
answers 503."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest
import websockets

from tests.conftest import Server, launch_server, shut_down

MAX_BODY = 8 * 1024
HEADER_TIMEOUT_S = 2
GENERAL_BUDGET = 20
MAX_CONCURRENCY = 4


@pytest.fixture(scope="module")
def bounded_server(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> Iterator[Server]:
    running = launch_server(
        None,
        tmp_root,
        {
            "STAGDB_MAX_BODY_SIZE": "8k",
            "STAGDB_HEADER_TIMEOUT": str(HEADER_TIMEOUT_S),
            "STAGDB_KEEP_ALIVE_TIMEOUT": "2",
            "STAGDB_MAX_CONCURRENCY": str(MAX_CONCURRENCY),
            "STAGDB_RATE_LIMIT_GENERAL": str(GENERAL_BUDGET),
        },
    )
    yield running
    shut_down(running, docker_client)


def fresh_key(server: Server, name: str) -> str:
    """A key of its own, so each test starts with a whole budget."""
    created = server.cli("keys", "create", "--name", name)
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


def graphql_url(server: Server) -> str:
    return server.base_url.removesuffix("/v1") + "/graphql"


def gql(server: Server, key: str, query: str) -> httpx.Response:
    return httpx.post(
        graphql_url(server),
        json={"query": query},
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )


def chunked(total: int, size: int = 1024) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b" " * size


def test_oversized_bodies_answer_413_in_the_envelope(bounded_server: Server) -> None:
    headers = {
        "Authorization": f"Bearer {bounded_server.key}",
        "Content-Type": "application/json",
    }
    url = f"{bounded_server.base_url}/databases"
    declared = httpx.post(url, content=b" " * (MAX_BODY + 1), headers=headers, timeout=30)
    streamed = httpx.post(url, content=chunked(64 * 1024), headers=headers, timeout=30)
    for refused in (declared, streamed):
        assert refused.status_code == 413, refused.text
        assert refused.json() == {
            "success": False,
            "error": {
                "code": "VALIDATION_ERROR",
                "message": f"Request body is larger than {MAX_BODY} bytes",
            },
        }
    on_graphql = httpx.post(
        graphql_url(bounded_server), content=chunked(64 * 1024), headers=headers, timeout=30
    )
    assert on_graphql.status_code == 413
    assert on_graphql.json()["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert httpx.get(f"{bounded_server.base_url}/health", timeout=10).status_code == 200


def test_graphql_documents_over_the_limits_are_validation_errors(bounded_server: Server) -> None:
    key = fresh_key(bounded_server, "limits")
    deep = "{ databases { items " + "{ parent " * 10 + "{ name }" + " }" * 10 + " } }"
    aliased = "{ " + " ".join(f"h{i}: health {{ status }}" for i in range(31)) + " }"
    long = "{ health { " + "s " * 2100 + "} }"
    for query, words in ((deep, "depth"), (aliased, "aliases"), (long, "tokens")):
        answer = gql(bounded_server, key, query)
        assert answer.status_code in (200, 400), answer.text
        [error] = answer.json()["errors"]
        assert error["extensions"]["code"] == "VALIDATION_ERROR", error
        assert words in error["message"]


def remaining(server: Server, key: str) -> int:
    answer = httpx.get(
        f"{server.base_url}/databases", headers={"Authorization": f"Bearer {key}"}, timeout=30
    )
    return int(answer.headers["X-RateLimit-Remaining"])


def test_stats_and_logs_cost_what_their_rest_reads_cost(bounded_server: Server) -> None:
    key = fresh_key(bounded_server, "reads")
    headers = {"Authorization": f"Bearer {key}"}
    made = httpx.post(
        f"{bounded_server.base_url}/databases",
        json={"name": "measured", "type": "postgresql"},
        headers=headers,
        timeout=120,
    )
    assert made.status_code == 201, made.text
    try:
        before = remaining(bounded_server, key)
        answer = gql(
            bounded_server,
            key,
            '{ database(name: "measured") { stats { status } logs(tail: 1) { message } } }',
        )
        assert "errors" not in answer.json(), answer.text
        # The request itself, then one for stats and one for logs; the read below is one more.
        assert remaining(bounded_server, key) == before - 4
    finally:
        httpx.delete(f"{bounded_server.base_url}/databases/measured", headers=headers, timeout=120)


async def _operations_over_websocket(server: Server, key: str, count: int) -> list[dict[str, Any]]:
    url = graphql_url(server).replace("http://", "ws://")
    answers = []
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        for number in range(count):
            operation = {"query": "{ health { status } }"}
            await ws.send(
                json.dumps({"id": str(number), "type": "subscribe", "payload": operation})
            )
            answer = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
            if answer["type"] == "next":
                done = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
                assert done["type"] == "complete", done
            answers.append(answer)
    return answers


def test_websocket_operations_count_against_the_key_budget(bounded_server: Server) -> None:
    key = fresh_key(bounded_server, "sockets")
    answers = asyncio.run(_operations_over_websocket(bounded_server, key, GENERAL_BUDGET + 1))
    assert [a["type"] for a in answers] == ["next"] * GENERAL_BUDGET + ["error"]
    [refusal] = answers[-1]["payload"]
    assert refusal["extensions"]["code"] == "RATE_LIMITED"
    assert refusal["extensions"]["retryAfter"] >= 1
    over_http = httpx.get(
        f"{bounded_server.base_url}/databases", headers={"Authorization": f"Bearer {key}"}
    )
    assert over_http.status_code == 429  # one budget for both


def api_address(server: Server) -> tuple[str, int]:
    url = httpx.URL(server.base_url)
    return url.host, int(url.port or 80)


def test_a_client_sending_headers_slowly_is_cut_off_while_others_are_served(
    bounded_server: Server,
) -> None:
    header = b"X-Slow: " + b"a" * 40 + b"\r\n\r\n"
    with socket.create_connection(api_address(bounded_server), timeout=10) as slow:
        slow.sendall(b"GET /v1/health HTTP/1.1\r\nHost: stagdb\r\n")
        opened = time.monotonic()
        cut_off = False
        for byte in header:
            try:
                slow.sendall(bytes([byte]))
                slow.settimeout(1.0)
                if slow.recv(1024) == b"":
                    cut_off = True
                    break
            except TimeoutError:
                served = httpx.get(f"{bounded_server.base_url}/health", timeout=10)
                assert served.status_code == 200  # others are served meanwhile
            except (ConnectionResetError, BrokenPipeError):
                cut_off = True
                break
        held = time.monotonic() - opened
    assert cut_off, "the server waited for the whole header"
    assert held < len(header)  # cut off long before the header was complete


def test_past_the_concurrency_limit_the_server_answers_503(bounded_server: Server) -> None:
    idle = [socket.create_connection(api_address(bounded_server)) for _ in range(MAX_CONCURRENCY)]
    try:
        refused = httpx.get(f"{bounded_server.base_url}/health", timeout=10)
        assert refused.status_code == 503
    finally:
        for connection in idle:
            connection.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if httpx.get(f"{bounded_server.base_url}/health", timeout=10).status_code == 200:
            return
        time.sleep(0.2)
    pytest.fail("the server did not serve again once the idle connections closed")
