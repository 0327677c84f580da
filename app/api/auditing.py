"""Records every authenticated mutating REST call in the audit trail, refused ones included
(GraphQL mutations are recorded by schema.audit, one entry per mutation)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.auth import READING_METHODS
from app.api.observability import route_template
from app.domain.audit import AuditRecord, AuditTrail
from app.logs import REQUEST_ID

log = logging.getLogger(__name__)
CODES_BY_STATUS = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "RESOURCE_BUSY",
    413: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    507: "INSUFFICIENT_RESOURCES",
}
MAX_CREATED_BODY = 64 * 1024  # a created resource's id is read from answers up to this size


class AuditMiddleware:
    def __init__(self, app: ASGIApp, trail: AuditTrail | None = None) -> None:
        self.app = app
        self.trail = trail or AuditTrail()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in READING_METHODS
            or not scope["path"].startswith("/v1/")
        ):
            await self.app(scope, receive, send)
            return
        status = 500
        body = bytearray()

        async def watching(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and len(body) < MAX_CREATED_BODY:
                body.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, watching)
        finally:
            principal = scope.get("state", {}).get("principal")
            if principal is not None:
                await self._record(scope, principal, status, bytes(body))

    async def _record(self, scope: Scope, principal: object, status: int, body: bytes) -> None:
        action = f"{scope['method']} {_route(scope)}"
        entry = AuditRecord(
            key_id=getattr(principal, "key_id", None),
            project_id=getattr(principal, "project_id", None),
            action=action,
            target=_target(scope, status, body),
            status_code=status,
            result="ok" if status < 400 else CODES_BY_STATUS.get(status, "SERVER_ERROR"),
            request_id=REQUEST_ID.get(),
        )
        try:
            await self.trail.record(entry)
        except Exception:  # the call itself already happened: never turn it into an error
            log.exception("could not record an audit entry for %s", entry.action)


def _route(scope: Scope) -> str:
    """The route template, also for calls refused before routing (403, 429)."""
    if "endpoint" in scope:
        return route_template(scope)
    template, params = _match(scope["app"].router.routes, scope, "")
    scope.setdefault("path_params", params)
    return template or "unmatched"


def _match(
    routes: Sequence[BaseRoute], scope: Scope, prefix: str
) -> tuple[str | None, dict[str, object]]:
    for route in routes:
        match, child = route.matches(scope)
        if match is not Match.NONE:
            if isinstance(route, Mount):
                return _match(route.routes, {**scope, **child}, prefix + route.path)
            return prefix + str(getattr(route, "path", "")), child.get("path_params", {})
    return None, {}


def _target(scope: Scope, status: int, body: bytes) -> str | None:
    """The resource acted on: the path's id, or the id of what a POST created."""
    if scope["method"] == "POST" and status == 201:
        try:
            data = json.loads(body).get("data") or {}
        except (ValueError, AttributeError):
            data = {}
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            return data["id"]
    params = scope.get("path_params") or {}
    return str(params["id"]) if "id" in params else None
