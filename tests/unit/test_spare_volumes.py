"""Spare volumes' rules on a real directory pool (the copy backend in a temporary directory):
a create takes the spare made under its future database id, so nothing is renamed; another is
made; the orphan search is told which volumes are spares; none outlives the server. Through
the API on every backend: tests/integration/test_branching.py."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from app.domain.ids import looks_like_id
from app.domain.spare_volumes import SpareVolumes
from app.drivers.storage import StorageFailure
from app.drivers.storage.copy import CopyPool

TEMPLATE = "tpl-postgresql-15-v3"


def pool_with_template(root: Path) -> CopyPool:
    pool = CopyPool(root)
    pool.prepare()
    (pool.create_volume(TEMPLATE) / "PG_VERSION").write_text("15\n")
    return pool


async def settle(spares: SpareVolumes) -> None:
    while spares._making:
        await asyncio.sleep(0.01)


def holds_template(pool: CopyPool, volume: str) -> bool:
    return (pool.volume_path(volume) / "PG_VERSION").read_text() == "15\n"


def test_a_create_takes_the_spare_under_its_own_id_and_another_is_made(tmp_path: Path) -> None:
    pool = pool_with_template(tmp_path / "pool")
    listing = tmp_path / "spare-volumes"
    listing.write_text("db-0fanearlierrun\n")
    spares = SpareVolumes(pool, listing)

    async def scenario() -> None:
        async with spares.running():
            async with spares.taking(TEMPLATE) as none_yet:  # the create clones
                assert none_yet is None
                assert spares.held() == set()  # none is made while the create runs
            await settle(spares)
            [first] = spares.held()
            assert looks_like_id("db", first) and holds_template(pool, first)
            assert listing.read_text() == f"{first}\n"

            async with spares.taking(TEMPLATE) as taken:
                assert taken == first and holds_template(pool, first)
                assert spares.held() == {taken} and not spares._making
                spares.recorded(taken)  # its record accounts for it now
                assert spares.held() == set()
            await settle(spares)
            second = spares.held()
            assert len(second) == 1 and taken not in second
            assert listing.read_text().split() == list(second)
            spares.replace(TEMPLATE)  # one spare per template, however often asked
            await settle(spares)
            assert spares.held() == second
        assert sorted(pool.list_volumes()) == sorted([taken, TEMPLATE])
        assert spares.held() == set()  # the server stopped: its spare is gone
        assert listing.read_text() == ""

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

    pool = SlowPool(tmp_path)
    pool.prepare()
    pool.create_volume(TEMPLATE)
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            spares.replace(TEMPLATE)
            await asyncio.to_thread(copying.wait, 10)
            [making] = [volume for volume in pool.list_volumes() if volume.startswith("db-")]
            assert spares.held() == {making}
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

    pool = FullPool(tmp_path)
    pool.prepare()
    (pool.create_volume(TEMPLATE) / "PG_VERSION").write_text("15\n")
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            spares.replace(TEMPLATE)
            await settle(spares)
            assert spares.held() == set() and pool.list_volumes() == [TEMPLATE]
            async with spares.taking(TEMPLATE) as spare:
                assert spare is None  # the create clones, and one is tried again after
            await settle(spares)
            assert spares.held() == set() and pool.list_volumes() == [TEMPLATE]

    asyncio.run(scenario())


def test_pools_that_do_not_clone_ahead_keep_no_spares(tmp_path: Path) -> None:
    class DatasetPool(CopyPool):  # as ZFS, whose clone is a dataset with a mount of its own
        clones_ahead = False

    pool = DatasetPool(tmp_path)
    pool.prepare()
    (pool.create_volume(TEMPLATE) / "PG_VERSION").write_text("15\n")
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            for _ in range(2):
                async with spares.taking(TEMPLATE) as spare:
                    assert spare is None
                await settle(spares)
            assert spares.held() == set() and pool.list_volumes() == [TEMPLATE]

    asyncio.run(scenario())
