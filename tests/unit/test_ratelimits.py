"""Rate-limit counting (app.domain.ratelimits) on a real SQLite metadata database: the general
budget is counted in memory and written in batches, operation budgets are written through,
and two limiters (two replicas) see each other's counts once written."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from app.domain.ratelimits import BRANCHING, GENERAL, RateLimiter, RateLimitExceeded
from app.models import RateCounter
from tests.unit.metadata import sqlite_metadata

LIMITS = {GENERAL: 5, "database": 100, BRANCHING: 2}


def run(tmp_path: Path, body: Callable[[], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with sqlite_metadata(tmp_path):
            return await body()

    return asyncio.run(main())


async def stored(bucket: str) -> int:
    return sum(await RateCounter.filter(bucket=bucket).values_list("count", flat=True))


def test_general_counts_wait_for_a_batch_but_the_budget_is_exact(tmp_path: Path) -> None:
    async def body() -> None:
        limiter = RateLimiter(LIMITS, flush_every_s=3600)
        remaining = [(await limiter.charge("key", [GENERAL])).remaining for _ in range(5)]
        assert remaining == [4, 3, 2, 1, 0]
        assert await stored(GENERAL) == 0, "no write per request"
        with pytest.raises(RateLimitExceeded):
            await limiter.charge("key", [GENERAL])
        await limiter.flush()
        assert await stored(GENERAL) == 6
        assert (await limiter.charge("other-key", [GENERAL])).remaining == 4

    run(tmp_path, body)


def test_operation_budgets_are_written_through(tmp_path: Path) -> None:
    async def body() -> None:
        limiter = RateLimiter(LIMITS, flush_every_s=3600)
        budget = await limiter.charge("key", [GENERAL, BRANCHING])
        assert (budget.bucket, budget.remaining) == (BRANCHING, 1)
        assert await stored(BRANCHING) == 1

    run(tmp_path, body)


def test_replicas_see_each_others_counts_once_written(tmp_path: Path) -> None:
    async def body() -> None:
        first, second = RateLimiter(LIMITS, flush_every_s=0), RateLimiter(LIMITS)
        for _ in range(3):
            await first.charge("key", [GENERAL])  # each one written at once (interval 0)
        assert (await second.charge("key", [GENERAL])).remaining == 1
        await second.flush()
        # The first learns of the second's request at its next write, one request later.
        assert (await first.charge("key", [GENERAL])).remaining == 1
        with pytest.raises(RateLimitExceeded):
            await first.charge("key", [GENERAL])
        assert await stored(GENERAL) == 6

    run(tmp_path, body)
