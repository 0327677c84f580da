"""Bearer API-key authentication for /v1 and /graphql; the health check, the API's own
description (/v1/openapi.yaml, /v1/openapi.json, /docs), the GraphiQL page and their static
files are public (GraphQL WebSockets authenticate in connection_init)."""

from __future__ import annotations

from starlette.datastructures import Headers, QueryParams
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.envelope import STATUS_BY_CODE, error
from app.errors import StagError, UnauthorizedError

PUBLIC_PATHS = frozenset({"/v1/health", "/v1/openapi.yaml", "/v1/openapi.json"})
GRAPHQL_PATH = "/graphql"


class ApiKeyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _needs_key(scope):
            await self.app(scope, receive, send)
            return
        services = scope["app"].state.services
        try:
            principal = await services.keys.authenticate(Headers(scope=scope).get("authorization"))
        except UnauthorizedError as exc:
            response = refusal(scope["path"], exc)
            response.headers["WWW-Authenticate"] = "Bearer"
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


def _needs_key(scope: Scope) -> bool:
    path = scope.get("path", "").rstrip("/")
    if path.startswith("/v1"):
        return path not in PUBLIC_PATHS
    if path == GRAPHQL_PATH:
        showing_graphiql = scope["method"] == "GET" and "query" not in QueryParams(
            scope.get("query_string", b"")
        )
        return not showing_graphiql
    return False


def refusal(path: str, exc: StagError, status_code: int | None = None) -> Response:
    """A request refused before it reached a handler, in the shape its API speaks."""
    if path.startswith(GRAPHQL_PATH):
        return JSONResponse(
            {"data": None, "errors": [{"message": exc.message, "extensions": {"code": exc.code}}]},
            status_code=status_code or STATUS_BY_CODE[exc.code],
        )
    return error(exc.code, exc.message, status_code)
