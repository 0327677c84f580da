"""The pool space each database and its snapshots hold on their own, measured in the
background and kept in the metadata, where a project's disk usage and quota read it.

A measurement walks a volume's files and asks the pool which extents nothing else shares
(FIEMAP on btrfs and XFS): 0.1–0.3 s of CPU per database on a host running 400, so a
project's usage cannot be measured on request (400 databases took three minutes).

A database is measured when it has no measurement yet (on a copy-on-write pool, where a new
database is a clone that holds nothing alone, only once something happened to it after its
first minute: an import finished, a restore, its clients' writes), again once its row changed
or its clients were active since the last one (at most every REMEASURE_AFTER_S), and every
REFRESH_AFTER_S whatever happened (a neighbour's deletion can leave it the only holder of
data it shared). Its snapshots are measured with it: what they hold alone grows as the
database rewrites what they share with it. One database is measured at a time, the most
overdue first (never measured before all others), and after each the meter rests 9 times as
long as it took: however many are due, measuring takes at most a tenth of one core. It gives
way to operations: while one holds a database of this host (a create, a branch round) it
waits, a minute at most.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from app.domain import lifecycle
from app.domain.provisioning import Provisioner
from app.models import Database, Snapshot

log = logging.getLogger(__name__)

MEASURE_EVERY_S = 5.0  # how often to look for a database due, when none was
SHARE_OF_A_CORE = 0.1
YIELD_ROUNDS = 12  # while operations run: a minute at most without measuring
REMEASURE_AFTER_S = 300.0
MAKING_S = 60.0  # a new database's own first minute: the row changes of its making
# A snapshot taken for branches waits this long, while their clones and starts are under way.
SNAPSHOT_AFTER_S = 2.0
REFRESH_AFTER_S = 6 * 3600.0
MEASURABLE = (lifecycle.RUNNING, lifecycle.STOPPED)


def is_due(
    now: datetime,
    created_at: datetime,
    measured_at: datetime | None,
    changed_at: datetime | None,
    active_at: datetime | None,
    clones_hold_nothing: bool,
) -> bool:
    """Whether a database made at `created_at`, measured at `measured_at` (None: never),
    whose row last changed at `changed_at` and whose clients were last active at
    `active_at`, is measured now. On a copy-on-write pool a database holds nothing alone
    when it is made (it is a clone), so one never measured counts as measured then; only
    what happens after its first minute (its making changes its row) is news."""
    if measured_at is None:
        if not clones_hold_nothing:
            return True
        measured_at = created_at + timedelta(seconds=MAKING_S)
    if now - measured_at >= timedelta(seconds=REFRESH_AFTER_S):
        return True
    touched = max((t for t in (changed_at, active_at) if t is not None), default=None)
    return (
        touched is not None
        and touched > measured_at
        and now - measured_at >= timedelta(seconds=REMEASURE_AFTER_S)
    )


class SpaceMeter:
    def __init__(self, provisioner: Provisioner, every_s: float = MEASURE_EVERY_S) -> None:
        self.provisioner = provisioner
        self.every_s = every_s
        self._unmeasurable: set[str] = set()  # snapshots that failed: left to the refresh
        self._yielded = 0  # rounds in a row given up to operations

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        stop = asyncio.Event()
        rounds = asyncio.create_task(self._measure_until(stop))
        try:
            yield
        finally:
            stop.set()
            await rounds

    async def _measure_until(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                measured = await self.round()
            except Exception:
                log.exception("measuring pool space failed; retrying at the next round")
                measured = None
            rest_s = (
                (time.monotonic() - started) * (1 / SHARE_OF_A_CORE - 1)
                if measured
                else self.every_s
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), rest_s)

    async def round(self) -> str | None:
        """Measure a snapshot taken for branches that has no size yet, or else the database
        most overdue, if one is due; answers the id of what it measured. While an operation
        holds a database of this host, it waits (at most YIELD_ROUNDS rounds in a row)."""
        now = datetime.now(UTC)
        rows = await Database.filter(host=self.provisioner.host).values_list(
            "id", "volume", "locked_by", "status",
            "created_at", "measured_at", "updated_at", "last_active_at",
        )  # fmt: skip
        busy = any(locked_by for _, _, locked_by, *_ in rows)
        if busy and self._yielded < YIELD_ROUNDS:
            self._yielded += 1
            return None
        self._yielded = 0
        unsized = (
            await Snapshot.filter(
                database__host=self.provisioner.host,
                size_bytes__isnull=True,
                created_at__lte=now - timedelta(seconds=SNAPSHOT_AFTER_S),
            )
            .exclude(id__in=self._unmeasurable)
            .order_by("created_at")
            .first()
            .values_list("id", "volume")
        )
        if unsized:
            snapshot_id, volume = unsized
            await self.measure_snapshot(str(snapshot_id), str(volume))
            return str(snapshot_id)
        clones_hold_nothing = self.provisioner.pool.copy_on_write
        due: list[tuple[datetime | None, str, str]] = []
        for database_id, volume, _, status, created_at, measured_at, changed_at, active_at in rows:
            if status in MEASURABLE and is_due(
                now, created_at, measured_at, changed_at, active_at, clones_hold_nothing
            ):
                due.append((measured_at, database_id, volume))
        if not due:
            return None
        _, database_id, volume = min(
            due, key=lambda item: (item[0] is not None, item[0] or now)
        )  # never measured first, then the longest ago
        await self.measure(database_id, volume)
        return database_id

    async def measure(self, database_id: str, volume: str) -> None:
        """Measure one database's volume and its snapshots, and record what they hold."""
        measured_at = datetime.now(UTC)
        try:
            usage = await self.provisioner.volume_usage(volume)
        except Exception as exc:  # gone meanwhile, or unreadable: try again at the refresh
            log.warning("could not measure the volume of %s: %s", database_id, exc)
            await Database.filter(id=database_id).update(measured_at=measured_at)
            return
        # Each under the volume it was taken of (a reset gives the database a new one).
        snapshots = await Snapshot.filter(database_id=database_id).values_list("id", "volume")
        for snapshot_id, taken_of in snapshots:
            await self.measure_snapshot(str(snapshot_id), str(taken_of))
        await Database.filter(id=database_id).update(
            unique_bytes=usage.unique_bytes, measured_at=measured_at
        )

    async def measure_snapshot(self, snapshot_id: str, volume: str) -> None:
        try:
            held = await self.provisioner.snapshot_usage(volume, snapshot_id)
        except Exception as exc:  # gone with its branches meanwhile, or unreadable
            if await Snapshot.exists(id=snapshot_id):
                log.warning("could not measure snapshot %s: %s", snapshot_id, exc)
                self._unmeasurable.add(snapshot_id)
            return
        await Snapshot.filter(id=snapshot_id).update(
            size_bytes=held.logical_bytes, unique_bytes=held.unique_bytes
        )


async def project_bytes(project_id: str) -> int:
    """The bytes a project's databases and snapshots hold alone, as last measured."""
    volumes: list[int | None] = await Database.filter(project_id=project_id).values_list(
        "unique_bytes", flat=True
    )  # type: ignore[assignment]
    snapshots: list[int | None] = await Snapshot.filter(
        database__project_id=project_id
    ).values_list("unique_bytes", flat=True)  # type: ignore[assignment]
    return sum(held or 0 for held in (*volumes, *snapshots))
