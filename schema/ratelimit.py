"""GraphQL counts against the same budgets as REST: every request (HTTP, counted by the
middleware, or a WebSocket operation, counted here) against the general budget, mutations
also against their operation budgets, and each live read (`stats`, `logs`) as the REST call
of the same read."""

from __future__ import annotations

from collections.abc import Sequence

from graphql.error import GraphQLError

from app.domain.ratelimits import (
    LIVE_READ_BUCKETS,
    REQUEST_BUCKETS,
    RateLimitExceeded,
    buckets_for,
)
from app.domain.tenancy import Scope
from app.errors import ForbiddenError
from schema.context import Context, Info
from schema.errors import as_graphql_error


async def charge(info: Info, operation: str) -> None:
    """Every mutation starts here: it needs a `write` key, and is charged to its operation
    budgets (the request itself is already counted)."""
    principal = info.context.principal
    if principal is not None and not principal.scope.allows(Scope.WRITE):
        raise as_graphql_error(
            ForbiddenError(f"This API key's scope is '{principal.scope}'; mutations need 'write'")
        )
    await _charge_or_raise(info.context, buckets_for(operation)[1:])


async def charge_live_read(info: Info) -> None:
    await _charge_or_raise(info.context, LIVE_READ_BUCKETS)


async def charge_request(context: Context) -> GraphQLError | None:
    """One request's worth; the refusal to send, if the budget is spent."""
    try:
        await _charge_or_raise(context, REQUEST_BUCKETS)
    except GraphQLError as refused:
        return refused
    return None


async def _charge_or_raise(context: Context, buckets: Sequence[str]) -> None:
    principal = context.principal
    if principal is None or not buckets:
        return
    try:
        await context.services.rate_limiter.charge(principal.key_id, buckets)
    except RateLimitExceeded as exc:
        raise GraphQLError(
            exc.message, extensions={"code": exc.code, "retryAfter": exc.retry_after_s}
        ) from exc
