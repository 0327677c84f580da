"""Request bodies are capped before they are read whole: a declared length over the cap is
refused at once, a chunked body as soon as it passes the cap, both with 413 in the envelope
(GraphQL's shape on /graphql)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.api.bodylimit import BodyLimitMiddleware
from app.api.envelope import EXCEPTION_HANDLERS

LIMIT = 1024
reads: list[int] = []


async def echo(request: Request) -> Response:
    body = await request.body()
    reads.append(len(body))
    return JSONResponse({"length": len(body)})


def app() -> Starlette:
    return Starlette(
        routes=[
            Route("/v1/echo", echo, methods=["POST"]),
            Route("/graphql", echo, methods=["POST"]),
        ],
        middleware=[Middleware(BodyLimitMiddleware, max_bytes=LIMIT)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
    )


def post(path: str, content: bytes | AsyncIterator[bytes]) -> httpx.Response:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app())
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post(path, content=content)

    return asyncio.run(call())


async def chunks(count: int, size: int = 256) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b"x" * size


def test_a_body_within_the_cap_is_read() -> None:
    assert post("/v1/echo", b"x" * LIMIT).json() == {"length": LIMIT}
    assert post("/v1/echo", chunks(4)).json() == {"length": LIMIT}


def test_a_declared_length_over_the_cap_is_refused_before_the_handler_runs() -> None:
    reads.clear()
    refused = post("/v1/echo", b"x" * (LIMIT + 1))
    assert refused.status_code == 413
    assert refused.json() == {
        "success": False,
        "error": {
            "code": "VALIDATION_ERROR",
            "message": f"Request body is larger than {LIMIT} bytes",
        },
    }
    assert reads == []


def test_a_chunked_body_is_refused_once_it_passes_the_cap() -> None:
    reads.clear()
    refused = post("/v1/echo", chunks(40))
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
    assert reads == []


def test_graphql_gets_the_refusal_in_its_own_shape() -> None:
    refused = post("/graphql", chunks(40))
    assert refused.status_code == 413
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
