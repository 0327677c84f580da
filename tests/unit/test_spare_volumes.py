"""Spare volumes' rules on a real directory pool (the copy backend in a temporary directory):
a create takes the spare made under its future database id, so nothing is renamed; another is
made; each spare is marked in the pool, so every replica's orphan search knows it while its
maker lives; none outlives the server. Through
the API on every backend: tests/integration/test_branching.py."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from pathlib import Path

from app.domain.ids import looks_like_id
from app.domain.operations import process_identity
from app.domain.spare_volumes import SpareMarks, SpareVolumes
from app.drivers.storage import StorageFailure
from app.drivers.storage.copy import CopyPool

TEMPLATE = "tpl-postgresql-15-v3"


def pool_with_template(root: Path, kind: type[CopyPool] = CopyPool) -> CopyPool:
    pool = kind(root)
    pool.prepare()
    (pool.create_volume(TEMPLATE) / "PG_VERSION").write_text("15\n")
    return pool


async def settle(spares: SpareVolumes) -> None:
    while spares._making:
        await asyncio.sleep(0.01)


def holds_template(pool: CopyPool, volume: str) -> bool:
    return (pool.volume_path(volume) / "PG_VERSION").read_text() == "15\n"


def marked(pool: CopyPool) -> list[str]:
    return sorted(SpareMarks(pool.root).all())


def test_a_create_takes_the_spare_under_its_own_id_and_another_is_made(tmp_path: Path) -> None:
    pool = pool_with_template(tmp_path / "pool")
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            async with spares.taking(TEMPLATE) as none_yet:  # the create clones
                assert none_yet is None
                assert await spares.held() == set()  # none is made while the create runs
            await settle(spares)
            [first] = await spares.held()
            assert looks_like_id("db", first) and holds_template(pool, first)
            assert marked(pool) == [first]

            async with spares.taking(TEMPLATE) as taken:
                assert taken == first and holds_template(pool, first)
                assert await spares.held() == {taken} and not spares._making
                await spares.recorded(taken)  # its record accounts for it now
                assert await spares.held() == set() and marked(pool) == []
            await settle(spares)
            second = await spares.held()
            assert len(second) == 1 and taken not in second
            assert marked(pool) == sorted(second)
            spares.replace(TEMPLATE)  # one spare per template, however often asked
            await settle(spares)
            assert await spares.held() == second
        assert sorted(pool.list_volumes()) == sorted([taken, TEMPLATE])
        assert marked(pool) == []  # the server stopped: its spare is gone, and its mark

    asyncio.run(scenario())


def test_marks_of_other_live_processes_are_held_and_of_ended_ones_dropped(
    tmp_path: Path,
) -> None:
    """Replicas share the pool: one's orphan search must not take another's spare for a
    volume without a database, and what a crashed process left is no longer held."""
    pool = pool_with_template(tmp_path)
    machine = socket.gethostname()
    live_elsewhere = SpareVolumes(pool, owner=f"{process_identity(os.getppid())}:replica2")
    ended = SpareVolumes(pool, owner=f"{machine}:{2**22 + 7}:1:crashed")
    here = SpareVolumes(pool)

    async def scenario() -> None:
        async with live_elsewhere.running():
            live_elsewhere.replace(TEMPLATE)
            ended.replace(TEMPLATE)
            await settle(live_elsewhere)
            await settle(ended)
            [theirs] = live_elsewhere._spares.values()
            [crashed] = ended._spares.values()
            assert marked(pool) == sorted([theirs, crashed])
            assert await here.held() == {theirs}
            await here.drop_stale()
            assert marked(pool) == [theirs]
        assert marked(pool) == []

    asyncio.run(scenario())


def test_a_spare_destroyed_meanwhile_is_not_handed_out(tmp_path: Path) -> None:
    pool = pool_with_template(tmp_path)
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            spares.replace(TEMPLATE)
            await settle(spares)
            [spare] = await spares.held()
            pool.destroy_volume(spare)  # as an older replica's orphan search would
            async with spares.taking(TEMPLATE) as taken:
                assert taken is None  # the create clones the template
                assert spare not in marked(pool)

    asyncio.run(scenario())


def test_a_spare_being_made_is_held_and_a_create_waits_for_it(tmp_path: Path) -> None:
    """The orphan search lists volumes, then asks what is held: a copy under way is. A create
    that comes meanwhile takes it once it is complete."""
    copying, finish = threading.Event(), threading.Event()

    class SlowPool(CopyPool):
        def clone_volume(self, source: str, target: str) -> Path:
            made = self.create_volume(target)
            copying.set()
            finish.wait(10)
            (made / "PG_VERSION").write_text("15\n")
            return made

    pool = pool_with_template(tmp_path, SlowPool)
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            spares.replace(TEMPLATE)
            await asyncio.to_thread(copying.wait, 10)
            [making] = [volume for volume in pool.list_volumes() if volume.startswith("db-")]
            assert await spares.held() == {making} and marked(pool) == [making]
            create = asyncio.create_task(take_one(spares))
            await asyncio.sleep(0.2)
            assert not create.done()  # not complete: not handed out, waited for
            finish.set()
            assert await create == making
            assert (pool.volume_path(making) / "PG_VERSION").read_text() == "15\n"

    asyncio.run(scenario())


async def take_one(spares: SpareVolumes) -> str | None:
    async with spares.taking(TEMPLATE) as spare:
        return spare


def test_spares_of_earlier_releases_are_destroyed_at_start(tmp_path: Path) -> None:
    pool = pool_with_template(tmp_path)
    pool.create_volume("spare-making-cut0short0")  # a copy a crash interrupted
    pool.create_volume("spare-0123456789ab")
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            assert pool.list_volumes() == [TEMPLATE]

    asyncio.run(scenario())


def test_a_spare_that_cannot_be_made_leaves_nothing(tmp_path: Path) -> None:
    class FullPool(CopyPool):
        def clone_volume(self, source: str, target: str) -> Path:
            self.create_volume(target)  # part of a copy, then the pool is full
            raise StorageFailure("No space left on device")

    pool = pool_with_template(tmp_path, FullPool)
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            spares.replace(TEMPLATE)
            await settle(spares)
            assert await spares.held() == set() and pool.list_volumes() == [TEMPLATE]
            assert marked(pool) == []
            async with spares.taking(TEMPLATE) as spare:
                assert spare is None  # the create clones, and one is tried again after
            await settle(spares)
            assert await spares.held() == set() and pool.list_volumes() == [TEMPLATE]
            assert marked(pool) == []

    asyncio.run(scenario())


def test_pools_that_do_not_clone_ahead_keep_no_spares(tmp_path: Path) -> None:
    class DatasetPool(CopyPool):  # as ZFS, whose clone is a dataset with a mount of its own
        clones_ahead = False

    pool = pool_with_template(tmp_path, DatasetPool)
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            for _ in range(2):
                async with spares.taking(TEMPLATE) as spare:
                    assert spare is None
                await settle(spares)
            assert await spares.held() == set() and pool.list_volumes() == [TEMPLATE]
            assert marked(pool) == []

    asyncio.run(scenario())
