"""Timed work on databases (and install-wide work, such as pruning old rows), kept as rows
of the `jobs` table so it survives restarts.

Each database has at most one job of each kind (expire it, snapshot it, stop it when idle),
due at a time. `JobBook.plan` keeps a database's jobs in line with its upkeep; `JobBook.run_due`
claims due jobs of this host with one conditional UPDATE each (free, or its lease passed) and
runs them under a renewed lease, so across replicas sharing the metadata each run happens once,
and a run cut short by a crash is taken over when its lease passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from app.domain import lifecycle, operations
from app.models import Database, Job

log = logging.getLogger(__name__)

EXPIRE = "expire"
SNAPSHOT = "snapshot"
IDLE = "idle"
PRUNE = "prune"  # install-wide: not about one database, run by whichever replica claims it
REFRESH = "refresh"
KINDS = (EXPIRE, SNAPSHOT, IDLE, PRUNE, REFRESH)
EVERY_HOST = "*"
LEASE_S = 30.0
RETRY_S = 30.0  # after a job failed
BATCH = 50


@dataclass(frozen=True)
class Outcome:
    """When the job is due again (None: it is done), and a note on why, if any."""

    next_due: datetime | None
    note: str | None = None


Handler = Callable[[Job], Awaitable[Outcome]]


def job_id(kind: str, database_id: str) -> str:
    return f"{kind}:{database_id}"


def _on_rhythm(current: Job | None, every_s: int | None, now: datetime) -> datetime | None:
    """When a job on a rhythm is next due: as planned, unless the rhythm got shorter."""
    if every_s is None:
        return None
    every = timedelta(seconds=every_s)
    if current is not None and current.due_at <= now + every:
        return current.due_at
    return now + every


class JobBook:
    def __init__(self, host: str) -> None:
        self.host = host

    async def plan(self, row: Database, now: datetime | None = None) -> None:
        """Create, move or drop `row`'s jobs to match its upkeep and status: one read of its
        jobs, then a write only for each that changes."""
        now = now or datetime.now(UTC)
        current = {job.kind: job for job in await Job.filter(database_id=row.id)}
        idle_due = None
        if row.auto_stop_after_s is not None and row.status == lifecycle.RUNNING:
            idle_due = (row.last_active_at or now) + timedelta(seconds=row.auto_stop_after_s)
        wanted = {
            EXPIRE: row.expires_at,
            SNAPSHOT: _on_rhythm(current.get(SNAPSHOT), row.snapshot_every_s, now),
            REFRESH: _on_rhythm(current.get(REFRESH), row.refresh_every_s, now),
            IDLE: idle_due,
        }
        dropped = [
            job_id(kind, row.id) for kind, due in wanted.items() if due is None and kind in current
        ]
        if dropped:
            await Job.filter(id__in=dropped).delete()
        for kind, due in wanted.items():
            job = current.get(kind)
            if due is not None and (job is None or job.due_at != due):
                await self._set(kind, row, due)

    async def _set(self, kind: str, row: Database, due: datetime) -> None:
        key = job_id(kind, row.id)
        if not await Job.filter(id=key).update(due_at=due):
            await Job.get_or_create(
                id=key,
                defaults={"kind": kind, "database_id": row.id, "host": row.host, "due_at": due},
            )

    async def schedule(self, kind: str, due: datetime) -> None:
        """Make sure the install-wide job `kind` exists; a job already there keeps its time."""
        await Job.get_or_create(
            id=kind, defaults={"kind": kind, "database_id": "", "host": EVERY_HOST, "due_at": due}
        )

    async def forget(self, database_id: str) -> None:
        await Job.filter(database_id=database_id).delete()

    async def run_due(self, handlers: Mapping[str, Handler]) -> int:
        """Run this host's due jobs that no live replica holds; answers how many ran."""
        now = datetime.now(UTC)
        free = (
            Q(claimed_by__isnull=True)
            | Q(lease_expires_at__isnull=True)
            | Q(lease_expires_at__lt=now)
        )
        due = (
            await Job.filter(Q(host__in=[self.host, EVERY_HOST]) & Q(due_at__lte=now) & free)
            .order_by("due_at")
            .limit(BATCH)
        )
        ran = 0
        for job in due:
            if await self._claim(job):
                await self._run(job, handlers[job.kind])
                ran += 1
        return ran

    async def _claim(self, job: Job) -> bool:
        now = datetime.now(UTC)
        free = (
            Q(claimed_by__isnull=True)
            | Q(lease_expires_at__isnull=True)
            | Q(lease_expires_at__lt=now)
        )
        claimed = await Job.filter(Q(id=job.id) & Q(due_at__lte=now) & free).update(
            claimed_by=operations.THIS_PROCESS,
            lease_expires_at=now + timedelta(seconds=LEASE_S),
        )
        return claimed == 1

    async def _run(self, job: Job, handler: Handler) -> None:
        try:
            async with _renewed(job):
                outcome = await handler(job)
        except Exception as exc:
            log.exception("job %s failed; retrying in %.0f s", job.id, RETRY_S)
            outcome = Outcome(
                datetime.now(UTC) + timedelta(seconds=RETRY_S), f"failed: {type(exc).__name__}"
            )
        mine = Job.filter(id=job.id, claimed_by=operations.THIS_PROCESS)
        if outcome.next_due is None:
            await mine.delete()
            return
        await mine.update(
            due_at=outcome.next_due,
            claimed_by=None,
            lease_expires_at=None,
            last_error=outcome.note,
        )


@asynccontextmanager
async def _renewed(job: Job) -> AsyncIterator[None]:
    async def renew() -> None:
        while True:
            await asyncio.sleep(LEASE_S / 3)
            with contextlib.suppress(Exception):
                await Job.filter(id=job.id, claimed_by=operations.THIS_PROCESS).update(
                    lease_expires_at=datetime.now(UTC) + timedelta(seconds=LEASE_S)
                )

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
