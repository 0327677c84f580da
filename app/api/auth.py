"""Bearer API-key authentication for /v1 (every route but the public ones)."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.envelope import error
from app.errors import UnauthorizedError

PUBLIC_PATHS = frozenset({"/v1/health"})


class ApiKeyMiddleware:
    def __init__(self, app: ASGIApp, protected_prefix: str = "/v1") -> None:
        self.app = app
        self.protected_prefix = protected_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith(self.protected_prefix)
            or path.rstrip("/") in PUBLIC_PATHS
        ):
            await self.app(scope, receive, send)
            return
        services = scope["app"].state.services
        try:
            principal = await services.keys.authenticate(Headers(scope=scope).get("authorization"))
        except UnauthorizedError as exc:
            response = error(exc.code, exc.message)
            response.headers["WWW-Authenticate"] = "Bearer"
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
