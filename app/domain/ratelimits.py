"""Per-key request budgets in fixed hourly windows, counted in the metadata database so that
every API replica enforces one budget and a restart does not reset it."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from app.errors import RateLimitedError
from app.models import RateCounter

GENERAL = "general"
DATABASE = "database"
BRANCHING = "branching"
# Besides the general budget, these operations count against an operation budget, whichever
# API (REST or GraphQL) asks for them.
OPERATION_BUCKETS = {
    "database.create": DATABASE,
    "database.update": DATABASE,
    "database.delete": DATABASE,
    "database.start": DATABASE,
    "database.stop": DATABASE,
    "database.reset": DATABASE,
    "database.refresh": DATABASE,
    "snapshot.create": BRANCHING,
    "snapshot.delete": BRANCHING,
    "branch.create": BRANCHING,
}
BUCKET_NAMES = {
    GENERAL: "API requests",
    DATABASE: "database operations",
    BRANCHING: "snapshot/branch operations",
}


@dataclass(frozen=True)
class Budget:
    bucket: str
    limit: int
    remaining: int
    reset_at: int

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0


def buckets_for(operation: str | None) -> list[str]:
    """The budgets a request for `operation` (None: no mutating operation) counts against."""
    extra = OPERATION_BUCKETS.get(operation) if operation else None
    return [GENERAL, extra] if extra else [GENERAL]


class RateLimiter:
    def __init__(self, limits: Mapping[str, int], window_s: int = 3600) -> None:
        self.limits = dict(limits)
        self.window_s = window_s

    async def charge(self, key_id: str, buckets: Iterable[str]) -> Budget:
        """Count one request against each bucket; the tightest budget is returned, and an
        exceeded one raises RateLimitedError (the caller renders its headers)."""
        now = int(time.time())
        window = now - now % self.window_s
        budgets = [await self._count(key_id, bucket, window) for bucket in buckets]
        tightest = min(budgets, key=lambda b: b.remaining)
        if tightest.exceeded:
            raise RateLimitExceeded(tightest, max(1, tightest.reset_at - now))
        return tightest

    async def _count(self, key_id: str, bucket: str, window: int) -> Budget:
        match: dict[str, Any] = {"key_id": key_id, "bucket": bucket, "window_start": window}
        if not await RateCounter.filter(**match).update(count=F("count") + 1):
            try:
                await RateCounter.create(**match, count=1)
            except IntegrityError:  # another replica created it first
                await RateCounter.filter(**match).update(count=F("count") + 1)
        counter = await RateCounter.get(**match)
        limit = self.limits[bucket]
        return Budget(bucket, limit, limit - counter.count, window + self.window_s)


class RateLimitExceeded(RateLimitedError):
    def __init__(self, budget: Budget, retry_after_s: int) -> None:
        super().__init__(
            f"Rate limit exceeded: {budget.limit} {BUCKET_NAMES[budget.bucket]} per hour; "
            f"retry in {retry_after_s} s",
            retry_after_s,
        )
        self.budget = budget
