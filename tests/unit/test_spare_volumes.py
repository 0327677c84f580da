"""Spare volumes' rules on a real directory pool (the copy backend in a temporary directory):
a create renames the template's spare into place, the spare is made again, and none outlives
the server. Through the API on every backend: tests/integration/test_branching.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.domain.spare_volumes import SpareVolumes
from app.drivers.storage import StorageFailure
from app.drivers.storage.copy import CopyPool

TEMPLATE = "tpl-postgresql-15-v3"


def pool_with_template(root: Path) -> CopyPool:
    pool = CopyPool(root)
    pool.prepare()
    (pool.create_volume(TEMPLATE) / "PG_VERSION").write_text("15\n")
    return pool


def spares_in(pool: CopyPool) -> list[str]:
    return [volume for volume in pool.list_volumes() if volume.startswith("spare-")]


async def settle(spares: SpareVolumes) -> None:
    while spares._making:
        await asyncio.sleep(0.01)


def test_a_create_takes_the_spare_and_another_is_made(tmp_path: Path) -> None:
    pool = pool_with_template(tmp_path)
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            await spares.clone(TEMPLATE, "db-000000000001")  # none yet: a clone
            spares.replace(TEMPLATE)
            await settle(spares)
            [first] = spares_in(pool)
            await spares.clone(TEMPLATE, "db-000000000002")
            assert first not in pool.list_volumes()  # renamed into place, not copied
            spares.replace(TEMPLATE)
            spares.replace(TEMPLATE)  # one spare per template, however often asked
            await settle(spares)
            [second] = spares_in(pool)
            assert second != first
            for volume in ("db-000000000001", "db-000000000002", second):
                assert (pool.volume_path(volume) / "PG_VERSION").read_text() == "15\n"
        assert spares_in(pool) == []  # the server stopped: its spare is gone
        assert (pool.volume_path("db-000000000002") / "PG_VERSION").read_text() == "15\n"

    asyncio.run(scenario())


def test_spares_left_by_an_earlier_run_are_destroyed_at_start_and_never_handed_out(
    tmp_path: Path,
) -> None:
    pool = pool_with_template(tmp_path)
    pool.create_volume("spare-making-cut0short0")  # a copy a crash interrupted
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            assert spares_in(pool) == []
            await spares.clone(TEMPLATE, "db-000000000001")
        assert (pool.volume_path("db-000000000001") / "PG_VERSION").read_text() == "15\n"

    asyncio.run(scenario())


def test_a_spare_that_cannot_be_renamed_is_dropped_and_the_template_cloned(
    tmp_path: Path,
) -> None:
    pool = pool_with_template(tmp_path)
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            spares.replace(TEMPLATE)
            await settle(spares)
            pool.create_volume("db-000000000001")  # the name is taken: the rename fails
            with pytest.raises(StorageFailure, match="already exists"):  # the clone too
                await spares.clone(TEMPLATE, "db-000000000001")
            assert spares_in(pool) == []
            await spares.clone(TEMPLATE, "db-000000000002")
            assert (pool.volume_path("db-000000000002") / "PG_VERSION").read_text() == "15\n"

    asyncio.run(scenario())


def test_pools_that_cannot_rename_keep_no_spares(tmp_path: Path) -> None:
    class RemountingPool(CopyPool):  # as ZFS, whose rename remounts the dataset
        renames_volumes = False

    pool = RemountingPool(tmp_path)
    pool.prepare()
    (pool.create_volume(TEMPLATE) / "PG_VERSION").write_text("15\n")
    spares = SpareVolumes(pool)

    async def scenario() -> None:
        async with spares.running():
            await spares.clone(TEMPLATE, "db-000000000001")
            spares.replace(TEMPLATE)
            await settle(spares)
            assert spares_in(pool) == []

    asyncio.run(scenario())
