"""Charges every authenticated request against the key's budgets and reports them in
`X-RateLimit-*` headers; a refused request gets 429 with `Retry-After`."""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.auth import refusal
from app.domain.ratelimits import BRANCHING, DATABASE, GENERAL, Budget, RateLimitExceeded

# REST operations that also count against an operation budget (GraphQL mutations charge the
# same budgets in their resolvers).
OPERATION_BUCKETS: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"/v1/databases/?"), DATABASE),
    ("PUT", re.compile(r"/v1/databases/[^/]+/?"), DATABASE),
    ("DELETE", re.compile(r"/v1/databases/[^/]+/?"), DATABASE),
    ("POST", re.compile(r"/v1/databases/[^/]+/(start|stop|reset)/?"), DATABASE),
    ("POST", re.compile(r"/v1/databases/[^/]+/(snapshots|branches)/?"), BRANCHING),
    ("POST", re.compile(r"/v1/snapshots/[^/]+/branches/?"), BRANCHING),
    ("DELETE", re.compile(r"/v1/snapshots/[^/]+/?"), BRANCHING),
]


def buckets_for(method: str, path: str) -> list[str]:
    extra = [b for m, pattern, b in OPERATION_BUCKETS if m == method and pattern.fullmatch(path)]
    return [GENERAL, *extra]


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
                principal.key_id, buckets_for(scope["method"], scope["path"])
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
