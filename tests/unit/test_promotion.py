"""Promote's rules on in-process fakes of the runtime and the pool (real SQLite metadata):
what the records and the pool hold afterwards, and that a failure midway undoes every step.
The same flows run against real engines and pools in tests/integration/test_promote.py."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.domain import lifecycle
from app.domain.branches import CreateBranch
from app.domain.promotion import Promote, PromotionService
from app.domain.snapshots import SnapshotService
from app.drivers.runtime.base import ContainerSpec, RuntimeFailure
from app.drivers.storage.base import StorageFailure
from app.errors import ResourceBusyError, StagError, ValidationError
from app.models import Database, Event, Snapshot
from tests.unit.test_controller import World, scenario


def promotions(world: World) -> PromotionService:
    return PromotionService(world.databases, SnapshotService(world.databases))


async def parent_and_branch(world: World) -> tuple[Database, Database]:
    parent = await world.create("main")
    view = await world.branches.from_database("main", CreateBranch(name="feature"))
    return await Database.get(id=parent.id), await Database.get(id=view.id)


def fail_runs_of(world: World, database_id: str) -> None:
    """The next container made for `database_id` fails to run (once)."""
    run = world.runtime.run
    armed = [True]

    def failing(spec: ContainerSpec) -> str:
        if armed[0] and spec.name.endswith(database_id):
            armed[0] = False
            raise RuntimeFailure(f"run {spec.name}: the engine refused")
        return run(spec)

    world.runtime.run = failing  # type: ignore[method-assign]


def fail_stop_of(world: World, database_id: str) -> None:
    """The engine of `database_id` refuses to stop (once)."""
    stop = world.runtime.stop
    armed = [True]

    def failing(container_id: str, timeout_s: int) -> None:
        container = world.runtime.of_database(database_id)
        if armed[0] and container is not None and container_id == container.info.id:
            armed[0] = False
            raise RuntimeFailure(f"stop {container_id}: timed out")
        stop(container_id, timeout_s)

    world.runtime.stop = failing  # type: ignore[method-assign]


def fail_snapshots_of(world: World, volume: str) -> None:
    """Snapshots of `volume` fail, sooner than a container is made."""
    create, run = world.pool.create_snapshot, world.runtime.run

    def failing(of: str, snapshot: str) -> None:
        if of == volume:
            raise StorageFailure(f"snapshot of {of}: no space")
        create(of, snapshot)

    def slow(spec: ContainerSpec) -> str:
        time.sleep(0.2)
        return run(spec)

    world.pool.create_snapshot = failing  # type: ignore[method-assign]
    world.runtime.run = slow  # type: ignore[method-assign]


def running(world: World, database_id: str) -> bool:
    container = world.runtime.of_database(database_id)
    return container is not None and container.info.running


@scenario
async def test_the_parent_takes_the_branch_volume_and_keeps_its_own_as_a_snapshot(
    world: World,
) -> None:
    parent, branch = await parent_and_branch(world)
    view = await promotions(world).promote("feature", Promote())
    assert (view.id, view.port, view.connection) == (
        parent.id,
        parent.port,
        world.databases.view(parent).connection,
    )
    promoted = await Database.get(id=parent.id)
    assert promoted.volume == branch.volume and promoted.status == lifecycle.RUNNING
    assert promoted.locked_by is None and running(world, parent.id)
    assert not await Database.exists(id=branch.id)
    [pre] = await Snapshot.filter(database_id=parent.id, name__startswith="pre-promote-")
    assert pre.volume == parent.volume and (parent.volume, pre.id) in world.pool.snapshots
    made_for = await Snapshot.get(id=branch.snapshot_id)
    assert made_for.created_for is None, "the promoted data is built on it: it stays"
    events = [event for event, _ in await world.events(parent.id)]
    assert "branch.promoted" in events
    assert [event for event, _ in await world.events(branch.id)][-1] == "branch.deleted"


@scenario
async def test_a_kept_branch_moves_to_a_fresh_copy(world: World) -> None:
    parent, branch = await parent_and_branch(world)
    await promotions(world).promote("feature", Promote(keep_branch=True))
    promoted, kept = await Database.get(id=parent.id), await Database.get(id=branch.id)
    assert promoted.volume == branch.volume
    assert kept.volume not in (branch.volume, parent.volume) and kept.volume in world.pool.volumes
    assert (kept.port, kept.password, kept.status) == (branch.port, branch.password, "running")
    copy_of = await Snapshot.get(id=kept.snapshot_id)
    assert (copy_of.database_id, copy_of.volume, copy_of.created_for) == (
        parent.id,
        promoted.volume,
        branch.id,
    )
    assert running(world, parent.id) and running(world, branch.id)


@pytest.mark.parametrize("keep", [False, True])
def test_a_failure_midway_leaves_both_as_they_were(keep: bool, tmp_path: Path) -> None:
    @scenario
    async def check(world: World) -> None:
        parent, branch = await parent_and_branch(world)
        volumes, snapshots = set(world.pool.volumes), set(world.pool.snapshots)
        # Without keep the parent's new container fails; with it, the kept branch's.
        fail_runs_of(world, branch.id if keep else parent.id)
        with pytest.raises(StagError):
            await promotions(world).promote("feature", Promote(keep_branch=keep))
        after_parent = await Database.get(id=parent.id)
        after_branch = await Database.get(id=branch.id)
        assert (after_parent.volume, after_parent.status) == (parent.volume, "running")
        assert (after_branch.volume, after_branch.status) == (branch.volume, "running")
        assert after_parent.locked_by is None and after_branch.locked_by is None
        assert running(world, parent.id) and running(world, branch.id)
        assert world.pool.volumes == volumes and world.pool.snapshots == snapshots
        assert not await Snapshot.filter(name__startswith="pre-promote-").exists()
        assert not await Event.filter(event="branch.promoted").exists()

    check(tmp_path)


@pytest.mark.parametrize("failing", ["branch stop", "parent stop", "pre-promote snapshot"])
def test_a_failure_in_steps_run_side_by_side_leaves_both_as_they_were(
    failing: str, tmp_path: Path
) -> None:
    """Both engines stop at once, and the parent's data is snapshotted while the parent
    starts on the branch's: whichever of a pair fails, the other is undone too."""

    @scenario
    async def check(world: World) -> None:
        parent, branch = await parent_and_branch(world)
        volumes, snapshots = set(world.pool.volumes), set(world.pool.snapshots)
        if failing == "pre-promote snapshot":
            fail_snapshots_of(world, parent.volume)
        else:
            fail_stop_of(world, branch.id if failing == "branch stop" else parent.id)
        with pytest.raises(StagError):
            await promotions(world).promote("feature", Promote())
        after_parent = await Database.get(id=parent.id)
        after_branch = await Database.get(id=branch.id)
        assert (after_parent.volume, after_parent.status) == (parent.volume, "running")
        assert (after_branch.volume, after_branch.status) == (branch.volume, "running")
        assert running(world, parent.id) and running(world, branch.id)
        [on_parent] = [c for c in world.runtime.containers.values() if parent.id in c.info.name]
        assert on_parent.info.running, "one container for the parent, on its own data"
        assert world.pool.volumes == volumes and world.pool.snapshots == snapshots
        assert not await Snapshot.filter(name__startswith="pre-promote-").exists()
        assert not await Event.filter(event="branch.promoted").exists()

    check(tmp_path)


@scenario
async def test_refusals_come_before_any_work(world: World) -> None:
    parent, branch = await parent_and_branch(world)
    service = promotions(world)
    with pytest.raises(ValidationError, match="not a branch"):
        await service.promote("main", Promote())
    with pytest.raises(ValidationError, match="keep_branch"):
        await service.promote("feature", Promote(keep_branch="yes"))
    await Database.filter(id=parent.id).update(protected=True)
    with pytest.raises(ResourceBusyError, match="protected"):
        await service.promote("feature", Promote())
    await Database.filter(id=parent.id).update(protected=False)
    await SnapshotService(world.databases).take(branch, "mine", "")
    with pytest.raises(ResourceBusyError, match="snapshot 'mine'"):
        await service.promote("feature", Promote())
    assert not await Snapshot.filter(name__startswith="pre-promote-").exists()
    assert (await Database.get(id=parent.id)).volume == parent.volume
