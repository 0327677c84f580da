"""Per-key request budgets in fixed hourly windows, counted in the metadata database so that
every API replica enforces one budget and a restart does not reset it.

The general budget (every request) is counted in memory and written in batches, at most once
per `flush_every_s` and at shutdown, so that reads cost no metadata write each: with SQLite,
whose writers go one at a time, the per-request write was the API's bottleneck. A replica
knows its own requests exactly and the others' as of its last batch, so with several
replicas a key may pass its general budget by what the others served within one interval.
Operation budgets (creates, branches, …: few, and each much dearer) are written through.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.errors import RateLimitedError
from app.models import RateCounter

# Both metadata databases (SQLite from 3.35, PostgreSQL) add to a count and read it back in
# one statement; only how they number parameters differs.
ADD_TO_COUNT = (
    'INSERT INTO "rate_counters" ("key_id", "bucket", "window_start", "count") '
    "VALUES ({}, {}, {}, {}) "
    'ON CONFLICT ("key_id", "bucket", "window_start") '
    'DO UPDATE SET "count" = "rate_counters"."count" + excluded."count" '
    'RETURNING "count"'
)
PLACEHOLDERS = {"sqlite": ("?",) * 4, "postgres": ("$1", "$2", "$3", "$4")}

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
    "branch.promote": BRANCHING,
}
WINDOW_S = 3600  # budgets are per hour
# Every request counts against the general budget; so does each live read (stats, logs) a
# GraphQL request makes, as the REST call of the same read would.
REQUEST_BUCKETS = (GENERAL,)
LIVE_READ_BUCKETS = (GENERAL,)
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


Slot = tuple[str, str, int]  # key id, bucket, window start


class RateLimiter:
    def __init__(
        self, limits: Mapping[str, int], window_s: int = WINDOW_S, flush_every_s: float = 1.0
    ) -> None:
        self.limits = dict(limits)
        self.window_s = window_s
        self.flush_every_s = flush_every_s
        self._stored: dict[Slot, int] = {}  # the metadata's count at the last read
        self._unwritten: Counter[Slot] = Counter()  # this process's, not yet written
        self._flushed_at = time.monotonic()
        self._flushing = asyncio.Lock()

    async def charge(self, key_id: str, buckets: Iterable[str]) -> Budget:
        """Count one request against each bucket; the tightest budget is returned, and an
        exceeded one raises RateLimitedError (the caller renders its headers)."""
        now = int(time.time())
        window = now - now % self.window_s
        budgets = [await self._count((key_id, bucket, window)) for bucket in buckets]
        if time.monotonic() - self._flushed_at >= self.flush_every_s:
            await self.flush()
        tightest = min(budgets, key=lambda b: b.remaining)
        if tightest.exceeded:
            raise RateLimitExceeded(tightest, max(1, tightest.reset_at - now))
        return tightest

    async def _count(self, slot: Slot) -> Budget:
        key_id, bucket, window = slot
        if bucket != GENERAL:
            used = await self._write(slot, 1)
        else:
            if slot not in self._stored:
                self._stored[slot] = await self._read(slot)
            self._unwritten[slot] += 1
            used = self._stored[slot] + self._unwritten[slot]
        limit = self.limits[bucket]
        return Budget(bucket, limit, limit - used, window + self.window_s)

    async def flush(self) -> None:
        """Write the counts not written yet, and learn the other replicas' meanwhile."""
        if self._flushing.locked():
            return  # another request is writing them
        async with self._flushing:
            self._flushed_at = time.monotonic()
            current = int(time.time()) // self.window_s * self.window_s
            for slot in [s for s in self._stored if s[2] < current]:
                self._stored.pop(slot)  # a past window: never asked for again
            for slot, count in list(self._unwritten.items()):
                if count:
                    self._stored[slot] = await self._write(slot, count)
                    self._unwritten[slot] -= count  # requests counted meanwhile stay
                if not self._unwritten[slot]:
                    del self._unwritten[slot]

    @staticmethod
    async def _read(slot: Slot) -> int:
        key_id, bucket, window = slot
        row = await RateCounter.get_or_none(key_id=key_id, bucket=bucket, window_start=window)
        return row.count if row else 0

    @staticmethod
    async def _write(slot: Slot, count: int) -> int:
        """Add `count` to the slot's stored count, making it when it is the first; the new
        total. One statement, whichever replica writes the slot first."""
        connection = RateCounter._meta.db
        sql = ADD_TO_COUNT.format(*PLACEHOLDERS[connection.capabilities.dialect])
        [row] = await connection.execute_query_dict(sql, [*slot, count])
        return int(row["count"])


class RateLimitExceeded(RateLimitedError):
    def __init__(self, budget: Budget, retry_after_s: int) -> None:
        super().__init__(
            f"Rate limit exceeded: {budget.limit} {BUCKET_NAMES[budget.bucket]} per hour; "
            f"retry in {retry_after_s} s",
            retry_after_s,
        )
        self.budget = budget
