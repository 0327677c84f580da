"""Pool space is measured in the background and read from the metadata: which databases a round
measures, with their snapshots, and what a project's usage adds up (real SQLite metadata; a
stand-in for the provisioner answers sizes and counts the measurements)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from app.domain import space
from app.domain.space import SpaceMeter, is_due, project_bytes
from app.drivers.storage.base import SpaceUsage, StorageFailure
from app.models import Database, Snapshot
from tests.unit.metadata import sqlite_metadata

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_a_database_is_measured_first_then_after_changes_and_at_the_refresh() -> None:
    minutes = lambda n: NOW - timedelta(minutes=n)  # noqa: E731
    made = minutes(60)
    assert is_due(NOW, made, None, None, None, clones_hold_nothing=False)  # a copy: at once
    assert not is_due(NOW, made, minutes(30), minutes(40), minutes(45), False)  # nothing since
    assert is_due(NOW, made, minutes(30), minutes(20), None, False)  # its row changed since
    assert is_due(NOW, made, minutes(30), None, minutes(2), False)  # its clients were active
    # measured under REMEASURE_AFTER_S ago: not yet, however active
    assert not is_due(NOW, made, minutes(1), None, minutes(0.1), False)
    refreshed = NOW - timedelta(seconds=space.REFRESH_AFTER_S)
    assert is_due(NOW, refreshed, refreshed, None, None, False)


def test_a_new_clone_holds_nothing_alone_until_something_happens_to_it() -> None:
    minutes = lambda n: NOW - timedelta(minutes=n)  # noqa: E731
    # Made an hour ago on a copy-on-write pool; its making changed its row in its first minute.
    assert not is_due(NOW, minutes(60), None, minutes(59.5), None, clones_hold_nothing=True)
    assert is_due(NOW, minutes(60), None, minutes(59.5), minutes(10), True)  # then used
    assert is_due(NOW, minutes(60), None, minutes(20), None, True)  # an import finished later
    assert not is_due(NOW, minutes(3), None, minutes(1), minutes(1), True)  # too young
    refreshed = NOW - timedelta(seconds=space.REFRESH_AFTER_S + space.MAKING_S)
    assert is_due(NOW, refreshed, None, None, None, True)


class MeasuringProvisioner:
    """What SpaceMeter asks of the provisioner: this host, and the sizes of volumes and
    snapshots (each volume holds 1000 bytes per digit of its name's end, its snapshots 7)."""

    host = "local"

    def __init__(self, copy_on_write: bool = False) -> None:
        self.pool = SimpleNamespace(copy_on_write=copy_on_write)
        self.measured: list[str] = []
        self.snapshot_volumes: dict[str, str] = {}
        self.missing: set[str] = set()

    async def volume_usage(self, volume: str) -> SpaceUsage:
        self.measured.append(volume)
        if volume in self.missing:
            raise StorageFailure(f"no volume {volume}")
        return SpaceUsage(logical_bytes=50_000, unique_bytes=1000 * int(volume[-1]))

    async def snapshot_usage(self, volume: str, snapshot: str) -> SpaceUsage:
        self.measured.append(snapshot)
        self.snapshot_volumes[snapshot] = volume
        if snapshot in self.missing:
            raise StorageFailure(f"no snapshot {snapshot}")
        return SpaceUsage(logical_bytes=40_000, unique_bytes=7)


async def _database(n: int, project_id: str, status: str = "running") -> Database:
    return await Database.create(
        id=f"db-space{n:07d}", name=f"d{n}", engine="postgresql", version="15", status=status,
        port=20000 + n, username="stagdb", password="x", database_name="app",
        volume=f"vol-{n}", project_id=project_id,
    )  # fmt: skip


def test_rounds_measure_one_database_each_and_a_project_reads_the_sum(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with sqlite_metadata(tmp_path):
            for n in range(1, 7):
                await _database(n, "prj-a" if n <= 5 else "prj-b")
            await _database(7, "prj-a", status="creating")  # its volume is being made
            parent = await Database.get(id="db-space0000001")
            await Snapshot.create(  # taken before a reset gave d1 the volume it has now
                id="snap-space000001", name="s", database=parent, status="ready", volume="vol-0"
            )
            provisioner = MeasuringProvisioner()
            meter = SpaceMeter(provisioner)  # type: ignore[arg-type]

            assert await project_bytes("prj-a") == 0  # nothing measured yet
            # One database a round, never measured ones first; the one being made waits.
            measured = [await meter.round() for _ in range(7)]
            assert sorted(measured[:6]) == [f"db-space{n:07d}" for n in range(1, 7)]
            assert measured[6] is None  # all measured, nothing changed since
            assert sorted(provisioner.measured) == sorted(
                [f"vol-{n}" for n in range(1, 7)] + ["snap-space000001"]
            )
            # prj-a: volumes 1..5 (1000 bytes per digit) and vol-1's snapshot; not prj-b's
            assert await project_bytes("prj-a") == 15_000 + 7
            assert await project_bytes("prj-b") == 6_000
            snapshot = await Snapshot.get(id="snap-space000001")
            assert (snapshot.size_bytes, snapshot.unique_bytes) == (40_000, 7)
            assert provisioner.snapshot_volumes == {"snap-space000001": "vol-0"}

            # Clients of d2 were active after its measurement six minutes ago; d4 was
            # measured longer ago, but nothing happened to it since.
            ago = lambda n: datetime.now(UTC) - timedelta(minutes=n)  # noqa: E731
            await Database.filter(id="db-space0000002").update(
                updated_at=ago(10), measured_at=ago(6), last_active_at=ago(0)
            )
            await Database.filter(id="db-space0000004").update(
                updated_at=ago(10), measured_at=ago(7)
            )
            provisioner.measured.clear()
            assert await meter.round() == "db-space0000002"
            assert await meter.round() is None
            assert provisioner.measured == ["vol-2"]
        return None

    asyncio.run(scenario())


def test_a_volume_that_cannot_be_measured_waits_for_the_refresh(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with sqlite_metadata(tmp_path):
            await _database(3, "prj-a")
            provisioner = MeasuringProvisioner()
            provisioner.missing.add("vol-3")
            meter = SpaceMeter(provisioner)  # type: ignore[arg-type]
            assert await meter.round() == "db-space0000003"
            assert await meter.round() is None  # not asked again round after round
            row = await Database.get(id="db-space0000003")
            assert row.measured_at is not None and row.unique_bytes is None
            assert await project_bytes("prj-a") == 0

    asyncio.run(scenario())


def test_a_snapshot_taken_for_branches_is_measured_first_once_they_are_under_way(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with sqlite_metadata(tmp_path):
            parent = await _database(1, "prj-a")
            for n in range(3):
                await Snapshot.create(
                    id=f"snap-unsized{n:05d}", name=f"s{n}", database=parent, status="ready",
                    volume="vol-1",
                )  # fmt: skip
            ago = lambda s: datetime.now(UTC) - timedelta(seconds=s)  # noqa: E731
            await Snapshot.filter(id="snap-unsized00000").update(created_at=ago(30))
            await Snapshot.filter(id="snap-unsized00001").update(created_at=ago(60))
            # snap-unsized00002 was taken just now: its branches are starting
            provisioner = MeasuringProvisioner()
            provisioner.missing.add("snap-unsized00001")
            meter = SpaceMeter(provisioner)  # type: ignore[arg-type]
            measured = [await meter.round() for _ in range(4)]
            assert measured == [
                "snap-unsized00001",  # the oldest first; it cannot be read, and is not retried
                "snap-unsized00000",
                "db-space0000001",  # then the database, with its snapshots
                None,
            ]
            sizes = dict(await Snapshot.all().values_list("id", "size_bytes"))
            assert sizes == {
                "snap-unsized00000": 40_000,
                "snap-unsized00001": None,
                "snap-unsized00002": 40_000,  # measured with its database
            }

    asyncio.run(scenario())


def test_measuring_gives_way_to_operations_for_a_minute_at_most(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with sqlite_metadata(tmp_path):
            await _database(1, "prj-a")
            await Database.filter(id="db-space0000001").update(locked_by="op-branching000")
            await _database(2, "prj-a")
            meter = SpaceMeter(MeasuringProvisioner())  # type: ignore[arg-type]
            given_up = [await meter.round() for _ in range(space.YIELD_ROUNDS)]
            assert given_up == [None] * space.YIELD_ROUNDS  # a branch round holds its parent
            assert await meter.round() is not None  # but not for ever
            await Database.filter(id="db-space0000001").update(locked_by=None)
            assert await meter.round() is not None  # the operation is over: at once

    asyncio.run(scenario())


def test_on_a_copy_on_write_pool_new_databases_wait_until_used(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with sqlite_metadata(tmp_path):
            for n in range(1, 4):
                await _database(n, "prj-a")
            provisioner = MeasuringProvisioner(copy_on_write=True)
            meter = SpaceMeter(provisioner)  # type: ignore[arg-type]
            assert await meter.round() is None  # clones just made hold nothing alone
            ago = lambda n: datetime.now(UTC) - timedelta(minutes=n)  # noqa: E731
            await Database.filter(id="db-space0000002").update(
                created_at=ago(30), updated_at=ago(30), last_active_at=ago(1)
            )
            assert await meter.round() == "db-space0000002"
            assert await meter.round() is None
            assert provisioner.measured == ["vol-2"]

    asyncio.run(scenario())
