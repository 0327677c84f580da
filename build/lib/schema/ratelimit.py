"""GraphQL mutations count against the same operation budgets as their REST equivalents
(every GraphQL request already counts against the general budget in the HTTP middleware)."""

from __future__ import annotations

from graphql.error import GraphQLError

from app.domain.ratelimits import RateLimitExceeded, buckets_for
from schema.context import Info


async def charge(info: Info, operation: str) -> None:
    principal = info.context.principal
    if principal is None:
        return
    try:
        limiter = info.context.services.rate_limiter
        await limiter.charge(principal.key_id, buckets_for(operation)[1:])
    except RateLimitExceeded as exc:
        raise GraphQLError(
            exc.message, extensions={"code": exc.code, "retryAfter": exc.retry_after_s}
        ) from exc
