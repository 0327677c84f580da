"""The outermost middleware: request ids and the envelope even for unexpected failures."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.api.envelope import EXCEPTION_HANDLERS
from app.api.observability import ObservabilityMiddleware


async def broken(request: Request) -> Response:
    raise RuntimeError("secret internal detail")


async def fine(request: Request) -> Response:
    return JSONResponse({"ok": True})


def app() -> Starlette:
    return Starlette(
        routes=[Route("/broken", broken), Route("/fine/{id}", fine)],
        middleware=[Middleware(ObservabilityMiddleware)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
    )


def get(path: str, request_id: str) -> httpx.Response:
    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app(), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path, headers={"X-Request-ID": request_id})

    return asyncio.run(call())


def test_unexpected_errors_answer_in_the_envelope_with_the_request_id() -> None:
    response = get("/broken", "trace-1")
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "trace-1"
    assert response.json()["error"]["code"] == "SERVER_ERROR"
    assert "secret internal detail" not in response.text


def test_request_ids_are_kept_when_sane_and_made_otherwise() -> None:
    kept = get("/fine/1", "abc.DEF-1_2")
    made = get("/fine/1", "bad id with spaces")
    assert kept.headers["X-Request-ID"] == "abc.DEF-1_2"
    assert len(made.headers["X-Request-ID"]) == 32
