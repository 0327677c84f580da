"""Outermost middleware: a request id for every request (kept from `X-Request-ID` when the
client sends a sane one), echoed in the response, one structured access-log line, and the
HTTP metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.envelope import INTERNAL_MESSAGE, error
from app.logs import REQUEST_ID
from app.metrics import HTTP_DURATION, HTTP_REQUESTS

log = logging.getLogger("stagdb.access")
CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get("x-request-id", "")
        request_id = offered if CLIENT_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500
        responding = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responding
            if message["type"] == "http.response.start":
                status, responding = message["status"], True
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Rendered here, inside this middleware, so even an unexpected failure answers
            # with the envelope and the request id (Starlette's own handler sits outside).
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if responding:
                raise
            await error("SERVER_ERROR", INTERNAL_MESSAGE)(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            HTTP_REQUESTS.labels(route, scope["method"], str(status)).inc()
            HTTP_DURATION.labels(route, scope["method"]).observe(elapsed)
            principal = scope.get("state", {}).get("principal")
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "api_key": principal.key_id if principal else None,
                },
            )
            REQUEST_ID.reset(token)


def route_template(scope: Scope) -> str:
    """The matched route with its parameters as placeholders (bounded label values)."""
    if "endpoint" not in scope:
        return "unmatched"  # refused before routing (401, 429) or no such route
    path: str = scope["path"]
    params: dict[str, str] = scope.get("path_params") or {}
    for name, value in params.items():
        path = path.replace(f"/{value}", f"/{{{name}}}", 1)
    return path
