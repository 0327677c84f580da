"""Timed jobs on real SQLite metadata: a due job runs once however many replicas look for it,
is moved to its next time or dropped, and a job whose replica died (its lease passed) is
taken over while one under a live lease is left alone."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise import Tortoise

from app.domain.jobs import EXPIRE, SNAPSHOT, JobBook, Outcome, job_id
from app.models import Job, tortoise_config
from app.models.migrations import apply_migrations


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
