"""Charges every authenticated request against the key's budgets and reports them in
`X-RateLimit-*` headers; a refused request gets 429 with `Retry-After`."""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.auth import refusal
from app.domain.ratelimits import Budget, RateLimitExceeded, buckets_for

# The REST routes of mutating operations; which budgets an operation uses is the domain's rule.
OPERATION_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"/v1/databases/?"), "database.create"),
    ("PUT", re.compile(r"/v1/databases/[^/]+/?"), "database.update"),
    ("DELETE", re.compile(r"/v1/databases/[^/]+/?"), "database.delete"),
    ("POST", re.compile(r"/v1/databases/[^/]+/start/?"), "database.start"),
    ("POST", re.compile(r"/v1/databases/[^/]+/stop/?"), "database.stop"),
    ("POST", re.compile(r"/v1/databases/[^/]+/reset/?"), "database.reset"),
    ("POST", re.compile(r"/v1/databases/[^/]+/refresh/?"), "database.refresh"),
    ("POST", re.compile(r"/v1/databases/[^/]+/snapshots/?"), "snapshot.create"),
    ("DELETE", re.compile(r"/v1/snapshots/[^/]+/?"), "snapshot.delete"),
    ("POST", re.compile(r"/v1/databases/[^/]+/branches/?"), "branch.create"),
    ("POST", re.compile(r"/v1/snapshots/[^/]+/branches/?"), "branch.create"),
    ("POST", re.compile(r"/v1/databases/[^/]+/promote/?"), "branch.promote"),
]


def operation_for(method: str, path: str) -> str | None:
    for route_method, pattern, operation in OPERATION_ROUTES:
        if route_method == method and pattern.fullmatch(path):
            return operation
    return None


def rate_headers(budget: Budget) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(budget.limit),
        "X-RateLimit-Remaining": str(max(budget.remaining, 0)),
        "X-RateLimit-Reset": str(budget.reset_at),
    }


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get("state", {}).get("principal")
        if scope["type"] != "http" or principal is None:
            await self.app(scope, receive, send)
            return
        limiter = scope["app"].state.services.rate_limiter
        try:
            budget = await limiter.charge(
                principal.key_id, buckets_for(operation_for(scope["method"], scope["path"]))
            )
        except RateLimitExceeded as exc:
            response = refusal(scope["path"], exc, status_code=429)
            response.headers.update(rate_headers(exc.budget))
            response.headers["Retry-After"] = str(exc.retry_after_s)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(rate_headers(budget))
            await send(message)

        await self.app(scope, receive, send_with_headers)
