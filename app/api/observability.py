"""Outermost middleware: a request id for every request (kept from `X-Request-ID` when the
client sends a sane one), echoed in the response, one structured access-log line, and the
HTTP metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import Mount, Route, Router, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.envelope import INTERNAL_MESSAGE, error
from app.logs import REQUEST_ID
from app.metrics import HTTP_DURATION, HTTP_REQUESTS

log = logging.getLogger("stagdb.access")
CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Label values stay bounded whatever clients send: other methods share one value, as paths
# no route matches share "unmatched".
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
UNMATCHED = "unmatched"


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
            route, method = route_template(scope), method_label(scope["method"])
            HTTP_REQUESTS.labels(route, method, str(status)).inc()
            HTTP_DURATION.labels(route, method).observe(elapsed)
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


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else OTHER_METHOD


def route_template(scope: Scope) -> str:
    """The matched route with placeholders for its parameters, e.g. `/v1/databases/{id}`;
    `unmatched` when no route matched (or the request was refused before routing)."""
    route = scope.get("route")
    prefix: str = scope.get("root_path", "")
    if isinstance(route, Route | WebSocketRoute):
        return prefix + route.path
    if isinstance(route, Mount) and not isinstance(route.app, Router):
        return prefix + "/{path}"  # a mounted application, such as static files
    return UNMATCHED
