"""Timed jobs on real SQLite metadata: a due job runs once however many replicas look for it,
is moved to its next time or dropped, and a job whose replica died (its lease passed) is
taken over while one under a live lease is left alone."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise import Tortoise

from app.domain import lifecycle
from app.domain.jobs import EXPIRE, IDLE, REFRESH, SNAPSHOT, JobBook, Outcome, job_id
from app.models import Database, Job, tortoise_config
from app.models.migrations import apply_migrations
from tests.unit.metadata import recording_statements


def with_metadata(test: Callable[[], Awaitable[None]]) -> Callable[[Path], None]:
    def run(tmp_path: Path) -> None:
        async def main() -> None:
            url = f"sqlite://{tmp_path / 'meta.sqlite3'}"
            await apply_migrations(url)
            await Tortoise.init(config=tortoise_config(url))
            try:
                await test()
            finally:
                await Tortoise.close_connections()

        asyncio.run(main())

    run.__name__ = test.__name__
    return run


async def add(kind: str, database_id: str, **fields: object) -> None:
    values: dict[str, object] = {
        "host": "local", "due_at": datetime.now(UTC) - timedelta(seconds=1), **fields
    }  # fmt: skip
    await Job.create(id=job_id(kind, database_id), kind=kind, database_id=database_id, **values)


@with_metadata
async def test_a_due_job_runs_once_across_replicas_and_moves_on() -> None:
    await add(SNAPSHOT, "db-aaaaaaaaaaaa")
    runs: list[str] = []
    later = datetime.now(UTC) + timedelta(hours=1)

    async def handler(job: Job) -> Outcome:
        runs.append(job.id)
        await asyncio.sleep(0.05)
        return Outcome(later)

    replicas = [JobBook("local") for _ in range(3)]
    await asyncio.gather(*(book.run_due({SNAPSHOT: handler}) for book in replicas))
    assert runs == ["snapshot:db-aaaaaaaaaaaa"]
    job = await Job.get(id="snapshot:db-aaaaaaaaaaaa")
    assert (job.due_at, job.claimed_by, job.lease_expires_at) == (later, None, None)
    assert await replicas[0].run_due({SNAPSHOT: handler}) == 0


@with_metadata
async def test_leases_decide_who_runs_a_job_and_finished_jobs_go() -> None:
    now = datetime.now(UTC)
    await add(EXPIRE, "db-deadreplica", claimed_by="gone", lease_expires_at=now - timedelta(1))
    await add(EXPIRE, "db-livereplica", claimed_by="alive", lease_expires_at=now + timedelta(1))
    await add(EXPIRE, "db-otherhostxx", host="elsewhere")
    ran: list[str] = []

    async def handler(job: Job) -> Outcome:
        ran.append(job.database_id)
        return Outcome(None)

    assert await JobBook("local").run_due({EXPIRE: handler}) == 1
    assert ran == ["db-deadreplica"]
    assert not await Job.exists(database_id="db-deadreplica")
    assert await Job.exists(database_id="db-livereplica")


@with_metadata
async def test_a_failing_job_is_kept_with_its_error_and_retried_later() -> None:
    await add(EXPIRE, "db-failingjob1")

    async def handler(job: Job) -> Outcome:
        raise RuntimeError("boom")

    await JobBook("local").run_due({EXPIRE: handler})
    job = await Job.get(database_id="db-failingjob1")
    assert job.claimed_by is None and job.last_error == "failed: RuntimeError"
    assert job.due_at > datetime.now(UTC) + timedelta(seconds=20)


@with_metadata
async def test_plan_keeps_a_databases_jobs_in_line_with_its_upkeep() -> None:
    book, now = JobBook("local"), datetime.now(UTC)
    expires = now + timedelta(hours=2)
    row = Database(
        id="db-bbbbbbbbbbbb", host="local", status=lifecycle.RUNNING, expires_at=expires,
        snapshot_every_s=3600, refresh_every_s=None, auto_stop_after_s=600, last_active_at=now,
    )  # fmt: skip

    async def planned() -> dict[str, datetime]:
        return {job.kind: job.due_at for job in await Job.filter(database_id=row.id)}

    await book.plan(row, now)
    assert await planned() == {
        EXPIRE: expires, SNAPSHOT: now + timedelta(hours=1), IDLE: now + timedelta(minutes=10)
    }  # fmt: skip
    # Planned again later with nothing changed: a rhythm keeps its time, nothing is written.
    statements: list[str] = []
    with recording_statements(statements):
        await book.plan(row, now + timedelta(minutes=5))
    assert [s.split()[0].upper() for s in statements] == ["SELECT"]
    assert (await planned())[SNAPSHOT] == now + timedelta(hours=1)
    # A shorter rhythm moves the job; upkeep turned off drops its jobs; a stopped database
    # has no idle job.
    row.snapshot_every_s, row.expires_at, row.status = 60, None, lifecycle.STOPPED
    row.refresh_every_s = 86400
    await book.plan(row, now)
    assert await planned() == {
        SNAPSHOT: now + timedelta(minutes=1), REFRESH: now + timedelta(days=1)
    }  # fmt: skip
