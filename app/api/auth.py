"""Bearer API-key authentication and scopes for /v1, /graphql and /metrics; the health check,
the API's own description (/v1/openapi.yaml, /v1/openapi.json, /docs), the GraphiQL page and
their static files are public (GraphQL WebSockets authenticate in connection_init).

A key's scope decides what it may call: `read` only reads, `write` also changes its project's
databases, snapshots, branches and webhooks, `admin` also manages projects, keys, the audit
trail and metrics. The rest of the request runs as the key's project (`tenancy.acting_as`).
"""

from __future__ import annotations

from starlette.datastructures import Headers, QueryParams
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.envelope import STATUS_BY_CODE, error
from app.domain.tenancy import Scope as KeyScope
from app.domain.tenancy import acting_as
from app.errors import ForbiddenError, StagError, UnauthorizedError

PUBLIC_PATHS = frozenset({"/v1/health", "/v1/openapi.yaml", "/v1/openapi.json"})
GRAPHQL_PATH = "/graphql"
METRICS_PATH = "/metrics"
ADMIN_PREFIXES = ("/v1/projects", "/v1/keys", "/v1/audit", METRICS_PATH)
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
        with acting_as(principal.access) as access:
            try:
                access.require(scope_needed(scope["method"], scope["path"]), _action(scope))
            except ForbiddenError as exc:
                await refusal(scope["path"], exc)(scope, receive, send)
                return
            await self.app(scope, receive, send)


def scope_needed(method: str, path: str) -> KeyScope:
    """GraphQL requests need `read` here; each mutation asks for `write` itself."""
    path = path.rstrip("/")
    if any(path == prefix or path.startswith(prefix + "/") for prefix in ADMIN_PREFIXES):
        return KeyScope.ADMIN
    if method in READING_METHODS or path == GRAPHQL_PATH:
        return KeyScope.READ
    return KeyScope.WRITE


def _action(scope: Scope) -> str:
    return f"{scope['method']} {scope['path']}"


def _needs_key(scope: Scope) -> bool:
    path = scope.get("path", "").rstrip("/")
    if path.startswith("/v1"):
        return path not in PUBLIC_PATHS
    if path == METRICS_PATH:
        return True
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
