"""GraphQL mutations count against the same operation budgets as their REST equivalents
(every GraphQL request already counts against the general budget in the HTTP middleware)."""

from __future__ import annotations

from graphql.error import GraphQLError

from app.domain.ratelimits import RateLimitExceeded, buckets_for
from app.domain.tenancy import Scope
from app.errors import ForbiddenError
from schema.context import Info
from schema.errors import as_graphql_error


async def charge(info: Info, operation: str) -> None:
    """Every mutation starts here: it needs a `write` key, and is charged to its budgets."""
    principal = info.context.principal
    if principal is None:
        return
    if not principal.scope.allows(Scope.WRITE):
        raise as_graphql_error(
            ForbiddenError(f"This API key's scope is '{principal.scope}'; mutations need 'write'")
        )
    try:
        limiter = info.context.services.rate_limiter
        await limiter.charge(principal.key_id, buckets_for(operation)[1:])
    except RateLimitExceeded as exc:
        raise GraphQLError(
            exc.message, extensions={"code": exc.code, "retryAfter": exc.retry_after_s}
        ) from exc
