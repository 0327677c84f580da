"""The outermost middleware: request ids and the envelope even for unexpected failures."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

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


async def slow(request: Request) -> Response:
    await asyncio.sleep(0.05)
    return JSONResponse({"ok": True})


def test_the_duration_metric_records_how_long_the_request_took() -> None:
    from app.metrics import REGISTRY

    def observed() -> tuple[float, float]:
        labels = {"route": "/slow", "method": "GET"}
        count = REGISTRY.get_sample_value("stagdb_http_request_duration_seconds_count", labels)
        total = REGISTRY.get_sample_value("stagdb_http_request_duration_seconds_sum", labels)
        return count or 0.0, total or 0.0

    async def call() -> None:
        slow_app = Starlette(
            routes=[Route("/slow", slow)], middleware=[Middleware(ObservabilityMiddleware)]
        )
        transport = httpx.ASGITransport(app=slow_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await client.get("/slow")

    count_before, sum_before = observed()
    asyncio.run(call())
    count_after, sum_after = observed()
    assert count_after == count_before + 1
    assert 0.05 <= sum_after - sum_before < 1.0


def test_unknown_methods_and_unmatched_paths_share_one_label_each() -> None:
    from app.metrics import REGISTRY

    def count(route: str, method: str, status: str) -> float:
        labels = {"route": route, "method": method, "status": status}
        return REGISTRY.get_sample_value("stagdb_http_requests_total", labels) or 0.0

    async def call() -> None:
        routed = Starlette(
            routes=[Mount("/v1", routes=[Route("/fine/{id}", fine)])],
            middleware=[Middleware(ObservabilityMiddleware)],
            exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        )
        transport = httpx.ASGITransport(app=routed)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for path in ("/v1/nothing/1", "/v1/nothing/2", "/elsewhere"):
                await client.get(path)
            for method in ("BREW", "PROPFIND"):
                await client.request(method, "/v1/fine/7")
            await client.get("/v1/fine/8")

    unmatched, other, fine_get = (
        count("unmatched", "GET", "404"),
        count("/v1/fine/{id}", "other", "405"),
        count("/v1/fine/{id}", "GET", "200"),
    )
    asyncio.run(call())
    assert count("unmatched", "GET", "404") == unmatched + 3
    assert count("/v1/fine/{id}", "other", "405") == other + 2
    assert count("/v1/fine/{id}", "GET", "200") == fine_get + 1
    assert (
        REGISTRY.get_sample_value(
            "stagdb_http_requests_total",
            {"route": "/v1/nothing/1", "method": "GET", "status": "404"},
        )
        is None
    )
