"""The controller's decisions and the lifecycle, on in-process fakes of the runtime and the
pool (real SQLite metadata): each case runs in milliseconds. The same behaviour is tested
against real Docker in tests/integration/test_self_healing.py and test_crash_recovery.py."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.domain import housekeeping, lifecycle, operations
from app.domain.branches import BranchService, CreateBranch
from app.domain.catalog import EngineCatalog
from app.domain.controller import Controller
from app.domain.databases import DatabaseService, NewDatabase
from app.domain.events import EVENT_NAMES, EventBus, EventLog
from app.domain.housekeeping import Housekeeping
from app.domain.masking import MaskingService
from app.domain.provisioning import ENGINE_PORT_LABEL, Provisioner
from app.domain.resources import Resources
from app.domain.retention import Retention
from app.domain.snapshots import SnapshotService
from app.domain.warm_engines import WarmEngines
from app.drivers.port_claims import PortClaims
from app.drivers.runtime.base import (
    INSTALL_LABEL,
    STANDBY_LABEL,
    TOOL_OWNER_LABEL,
    ContainerEvent,
    ContainerInfo,
    ContainerSpec,
    ExecResult,
)
from app.errors import StagError
from app.identity import ensure_install_id
from app.models import DEFAULT_PROJECT_ID, Database, Event, Operation, Snapshot
from tests.fakes import FakeContainer, FakeEngine, FakePool, FakeRuntime
from tests.unit.metadata import sqlite_metadata

_ports = itertools.count(43000 + (os.getpid() % 50) * 40, 5)


@dataclass
class World:
    runtime: FakeRuntime
    pool: FakePool
    databases: DatabaseService
    controller: Controller

    @property
    def branches(self) -> BranchService:
        return BranchService(
            self.databases, SnapshotService(self.databases), MaskingService(self.databases)
        )

    async def create(self, name: str) -> Database:
        new = NewDatabase(name, "fake", "1", "", Resources(None, None), DEFAULT_PROJECT_ID)
        async with self.databases.creation(new, "database.create") as creation:
            await creation.fill(asyncio.to_thread(self.pool.create_volume, creation.row.volume))
            await creation.start()
        return await Database.get(id=creation.result().id)

    async def events(self, database_id: str) -> list[tuple[str, str | None]]:
        rows = await Event.filter(database_id=database_id).order_by("id")
        return [(row.event, row.payload["data"].get("reason")) for row in rows]  # type: ignore[union-attr, index]


def make_world(tmp_path: Path) -> World:
    """The services over in-process fakes of the runtime and the pool."""
    install = ensure_install_id(tmp_path)
    runtime = FakeRuntime(install)
    pool = FakePool()
    provisioner = Provisioner(
        runtime=runtime, pool=pool, host="local", install_id=install,
        port_claims=PortClaims(tmp_path / "claims", install, tmp_path),
        network_mode="host", bind_address="127.0.0.1", ready_timeout_s=5,
    )  # fmt: skip
    provisioner.port_claims.prepare()
    catalog = EngineCatalog({"fake": FakeEngine(runtime)}, {"fake": ("1",)}, {}, runtime)
    low = next(_ports)
    databases = DatabaseService(
        catalog, provisioner, "127.0.0.1", (low, low + 4), EventLog(EventBus())
    )
    return World(runtime, pool, databases, Controller(databases, 0.05))


def scenario(test: Callable[[World], Awaitable[None]]) -> Callable[[Path], None]:
    def run(tmp_path: Path) -> None:
        async def main() -> None:
            async with sqlite_metadata(tmp_path):
                world = make_world(tmp_path)
                try:
                    await test(world)
                finally:
                    for container in list(world.runtime.containers.values()):
                        world.runtime.die(container.info.id)

        asyncio.run(main())

    run.__name__ = test.__name__
    return run


@scenario
async def test_a_vanished_container_is_made_again_with_the_same_port(world: World) -> None:
    row = await world.create("kept")
    old = world.runtime.of_database(row.id)
    assert old is not None
    world.runtime.remove(old.info.id)
    await world.controller.sweep()
    new = world.runtime.of_database(row.id)
    assert (
        new is not None
        and new.info.running
        and new.port == world.databases.provisioner.engine_port(row.port)
    )
    await row.refresh_from_db()
    assert (row.status, row.error) == (lifecycle.RUNNING, None)
    assert ("database.recovered", "brought back after its container disappeared") in (
        await world.events(row.id)
    )


@scenario
async def test_an_oom_killed_engine_is_started_again_and_says_why(world: World) -> None:
    row = await world.create("starved")
    container = world.runtime.of_database(row.id)
    assert container is not None
    world.runtime.die(container.info.id, oom=True)
    await world.controller.sweep()
    assert container.info.running
    reasons = [
        reason for event, reason in await world.events(row.id) if event == "database.recovered"
    ]
    assert reasons == ["brought back after the engine was killed for running out of memory"]


@scenario
async def test_a_missing_volume_fails_once_and_is_retried_with_back_off(world: World) -> None:
    row = await world.create("lost")
    container = world.runtime.of_database(row.id)
    assert container is not None
    world.runtime.remove(container.info.id)
    world.pool.destroy_volume(row.volume)
    await world.controller.sweep()
    await world.controller.sweep()  # not due yet: no second attempt, no second event
    await row.refresh_from_db()
    assert row.status == lifecycle.FAILED and "volume is missing" in (row.error or "")
    failures = [event for event, _ in await world.events(row.id) if event == "database.failed"]
    assert failures == ["database.failed"]
    assert world.runtime.of_database(row.id) is None
    world.pool.create_volume(row.volume)  # the pool is back (mounted again)
    world.controller.backoff.clear()
    await world.controller.sweep()
    await row.refresh_from_db()
    assert row.status == lifecycle.RUNNING


@scenario
async def test_a_deletion_that_fails_stays_deleting_and_is_retried_with_back_off(
    world: World,
) -> None:
    row = await world.create("going")
    world.runtime.failing_removals = 3
    with pytest.raises(StagError, match="tries again in the background"):
        await world.databases.delete("going")
    await world.controller.sweep()  # fails again: still deleting, never brought back
    await world.controller.sweep()  # not due yet: no attempt
    assert world.runtime.failing_removals == 1
    await row.refresh_from_db()
    assert row.status == lifecycle.DELETING and "keeps trying" in (row.error or "")
    assert world.runtime.of_database(row.id) is not None
    world.controller.backoff.clear()
    await world.controller.sweep()  # fails a last time
    world.controller.backoff.clear()
    await world.controller.sweep()
    assert await Database.get_or_none(id=row.id) is None
    assert world.runtime.of_database(row.id) is None
    assert not world.pool.volume_exists(row.volume)
    assert [event for event, _ in await world.events(row.id)][-1] == "database.deleted"


class ReadThenRace:
    """`Database` for housekeeping, whose read of the ports runs `meanwhile` after reading:
    what the check then holds is older than the front."""

    def __init__(self, meanwhile: Callable[[], Awaitable[object]]) -> None:
        self.meanwhile = meanwhile

    def filter(self, **conditions: object) -> object:
        query = Database.filter(**conditions)
        if "port__not_isnull" not in conditions:
            return query
        meanwhile = self.meanwhile

        class Stale:
            async def _read(self, *fields: str) -> list[tuple]:
                rows = await query.values_list(*fields)
                await meanwhile()
                return list(rows)

            def values_list(self, *fields: str) -> Awaitable[list[tuple]]:
                return self._read(*fields)

        return Stale()


@scenario
async def test_a_port_a_new_database_took_during_a_check_stays_served(world: World) -> None:
    """The check reads the ports, then a delete frees one and a create takes it: the check
    must not close the new database's port on the strength of what it read before."""
    old = await world.create("old")
    made: list[Database] = []

    async def delete_and_create() -> None:
        await world.databases.delete("old")
        made.append(await world.create("new"))

    keeping = Housekeeping(
        world.databases, SnapshotService(world.databases), 1.0, 1.0, Retention(3600)
    )
    housekeeping.Database = ReadThenRace(delete_and_create)  # type: ignore[assignment, misc]
    try:
        await keeping.serve_ports()
    finally:
        housekeeping.Database = Database  # type: ignore[misc]
    [new] = made
    assert new.port == old.port
    assert world.databases.provisioner.front.ports() == {new.port: new.id}
    await keeping.serve_ports()  # the next check, reading afresh, keeps it too
    assert world.databases.provisioner.front.ports() == {new.port: new.id}


@scenario
async def test_a_running_container_of_a_stopped_database_is_stopped(world: World) -> None:
    row = await world.create("quiet")
    await world.databases.stop(row.id)
    container = world.runtime.of_database(row.id)
    assert container is not None
    world.runtime.start(container.info.id)  # someone's `docker start`
    await world.controller.sweep()
    assert not container.info.running
    await row.refresh_from_db()
    assert row.status == lifecycle.STOPPED


@scenario
async def test_a_silent_engine_is_failed_after_one_sweep_of_grace(world: World) -> None:
    row = await world.create("silent")
    container = world.runtime.of_database(row.id)
    assert container is not None and container.listener is not None
    container.listener.close()  # the process hangs: the container runs, nothing answers
    container.listener = None
    await world.controller.sweep()
    await row.refresh_from_db()
    assert row.status == lifecycle.RUNNING
    await world.controller.sweep()
    await row.refresh_from_db()
    assert (row.status, row.error) == (lifecycle.FAILED, "the engine does not answer")


@scenario
async def test_abandoned_work_is_settled_and_live_work_left_alone(world: World) -> None:
    creating = await world.create("half")
    await Database.filter(id=creating.id).update(status=lifecycle.CREATING, locked_by="op-dead")
    busy = await world.create("busy")
    live = await Operation.create(
        id="op-live", kind="database.stop", database_id=busy.id, status=operations.RUNNING,
        owner="another-machine:1:1:abcd", lease_expires_at=datetime.now(UTC) + timedelta(minutes=5),
    )  # fmt: skip
    await Database.filter(id=busy.id).update(
        locked_by=live.id, lock_expires_at=datetime.now(UTC) + timedelta(minutes=5)
    )
    await Operation.create(
        id="op-dead", kind="database.create", database_id=creating.id, status=operations.RUNNING,
        owner="another-machine:2:2:dcba", lease_expires_at=datetime.now(UTC) - timedelta(seconds=1),
    )  # fmt: skip
    await world.controller.settle_interrupted_work()
    assert not await Database.exists(id=creating.id)
    assert creating.volume not in world.pool.volumes
    assert (await Operation.get(id="op-dead")).status == operations.FAILED
    assert (await Operation.get(id="op-live")).status == operations.RUNNING
    assert (await Database.get(id=busy.id)).locked_by == "op-live"


@scenario
async def test_orphans_of_this_install_are_removed(world: World) -> None:
    row = await world.create("owner")
    world.pool.create_volume("db-orphan0000000")
    world.pool.create_snapshot(row.volume, "snap-orphan000000")
    await world.controller.sweep()
    assert "db-orphan0000000" not in world.pool.volumes
    assert (row.volume, "snap-orphan000000") not in world.pool.snapshots
    assert row.volume in world.pool.volumes


@scenario
async def test_a_lease_that_passed_can_be_taken_over(world: World) -> None:
    row = await world.create("leased")
    await Database.filter(id=row.id).update(
        locked_by="op-gone", lock_expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    stopped = await world.databases.stop(row.id)
    assert stopped.status == lifecycle.STOPPED


@scenario
async def test_a_live_lease_keeps_others_out(world: World) -> None:
    row = await world.create("held")
    await Database.filter(id=row.id).update(
        locked_by="op-busy", lock_expires_at=datetime.now(UTC) + timedelta(minutes=1)
    )
    with pytest.raises(Exception, match="busy with another operation"):
        await world.databases.stop(row.id)


@scenario
async def test_a_branch_that_fails_to_start_leaves_nothing_behind(world: World) -> None:
    parent = await world.create("parent")
    volumes, snapshots = set(world.pool.volumes), set(world.pool.snapshots)
    world.runtime.failing_runs = 1
    with pytest.raises(StagError):
        await world.branches.from_database("parent", CreateBranch(name="doomed"))
    assert not await Database.exists(name="doomed")
    assert await Snapshot.filter(database_id=parent.id).count() == 0
    assert (world.pool.volumes, world.pool.snapshots) == (volumes, snapshots)
    claims = await world.databases.provisioner.port_claims_of_this_install()
    assert [claim.database_id for claim in claims] == [parent.id]
    failed = await Operation.get(kind="branch.create")
    assert failed.status == operations.FAILED and "container runtime" in (failed.error or "")
    made = await world.branches.from_database("parent", CreateBranch(name="second-try"))
    assert made.status == lifecycle.RUNNING and made.snapshot_id is not None


def test_every_transition_emits_a_known_event_or_none() -> None:
    for step in lifecycle.TRANSITIONS:
        assert step.event is None or step.event in EVENT_NAMES, step
        assert step.source in lifecycle.STATUSES
        assert step.target in (*lifecycle.STATUSES, lifecycle.GONE, None)
    keys = [(step.source, step.cause) for step in lifecycle.TRANSITIONS]
    assert len(keys) == len(set(keys)), "one transition per state and cause"


@pytest.mark.parametrize("status", lifecycle.STATUSES)
def test_what_each_status_allows(status: str) -> None:
    allowed = {step.cause for step in lifecycle.TRANSITIONS if step.source == status}
    expected = {
        lifecycle.CREATING: {"created", "branched", "creation failed", "unsettled"},
        lifecycle.RUNNING: {"stopped", "start failed", "reset", "reset failed", "updated",
                            "deleting", "recovered", "lost", "expiring", "stopped idle",
                            "promoted", "refreshed", "refresh failed"},
        lifecycle.STOPPED: {"started", "start failed", "reset", "reset failed", "updated",
                            "deleting", "expiring", "woken by connection", "promoted",
                            "refreshed", "refresh failed"},
        lifecycle.FAILED: {"started", "stopped", "start failed", "reset", "reset failed",
                           "updated", "deleting", "recovered", "expiring", "promoted",
                           "refreshed", "refresh failed"},
        lifecycle.DELETING: {"deleting", "deleted", "branch deleted", "unsettled"},
    }[status]  # fmt: skip
    assert allowed == expected


def test_an_illegal_transition_is_refused() -> None:
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.transition(lifecycle.DELETING, "started")


@scenario
async def test_a_container_made_before_the_front_is_made_again_behind_it(world: World) -> None:
    row = await world.create("older")
    old = world.runtime.of_database(row.id)
    assert old is not None
    labels = {k: v for k, v in old.info.labels.items() if k != ENGINE_PORT_LABEL}
    old.info = replace(old.info, labels=labels)
    await world.controller.sweep()
    new = world.runtime.of_database(row.id)
    assert new is not None and new.info.id != old.info.id and new.info.running
    assert ENGINE_PORT_LABEL in new.info.labels
    await row.refresh_from_db()
    assert (row.status, row.container_id) == (lifecycle.RUNNING, new.info.id)


@scenario
async def test_a_sweep_for_dockers_events_looks_only_at_the_databases_they_name(
    world: World,
) -> None:
    named, other = await world.create("named"), await world.create("other")
    for row in (named, other):
        container = world.runtime.of_database(row.id)
        assert container is not None
        world.runtime.remove(container.info.id)
    listings = 0
    list_all = world.runtime.list_managed

    def counted() -> list[ContainerInfo]:
        nonlocal listings
        listings += 1
        return list_all()

    world.runtime.list_managed = counted  # type: ignore[method-assign]
    await world.controller.sweep_databases({named.id})
    back = world.runtime.of_database(named.id)
    assert back is not None and back.info.running
    assert world.runtime.of_database(other.id) is None  # left for the periodic sweep
    assert listings == 0  # no listing of the whole host
    await world.controller.sweep()
    back = world.runtime.of_database(other.id)
    assert back is not None and back.info.running and listings == 1


@scenario
async def test_a_steady_stream_of_events_does_not_put_off_the_periodic_sweep(
    world: World,
) -> None:
    noisy, quiet = await world.create("noisy"), await world.create("quiet")

    def chatter(on_event: Callable[[ContainerEvent], None], stop: threading.Event) -> None:
        while not stop.wait(0.01):  # events for one database, faster than the interval
            on_event(ContainerEvent("start", noisy.id))

    world.runtime.watch = chatter  # type: ignore[method-assign]
    world.controller.interval_s = 0.5
    async with world.controller.running():
        await asyncio.sleep(0.1)
        container = world.runtime.of_database(quiet.id)
        assert container is not None
        world.runtime.remove(container.info.id)  # no event names it
        for _ in range(100):
            back = world.runtime.of_database(quiet.id)
            if back is not None and back.info.running:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the vanished container was not made again")


@scenario
async def test_on_a_settled_host_a_sweep_still_finds_the_one_database_that_went(
    world: World,
) -> None:
    rows = [await world.create(f"steady-{n}") for n in range(5)]
    await world.controller.sweep()  # every engine answers: the next sweep reads them narrowly
    gone, kept = rows[2], rows[3]
    await world.databases.stop(kept.id)
    container = world.runtime.of_database(gone.id)
    assert container is not None
    world.runtime.remove(container.info.id)
    started = world.runtime.of_database(kept.id)
    assert started is not None
    world.runtime.start(started.info.id)  # someone's `docker start` of a stopped database
    await world.controller.sweep()
    back = world.runtime.of_database(gone.id)
    assert back is not None and back.info.running
    assert not started.info.running
    for row in rows:
        await row.refresh_from_db()
    assert [row.status for row in rows] == [lifecycle.RUNNING] * 3 + [
        lifecycle.STOPPED,
        lifecycle.RUNNING,
    ]


@scenario
async def test_a_snapshot_being_taken_while_a_sweep_looks_for_orphans_is_kept(
    world: World,
) -> None:
    row = await world.create("busy")
    loop = asyncio.get_running_loop()
    list_snapshots = world.pool.list_snapshots

    async def lock_for_snapshot() -> None:
        await Database.filter(id=row.id).update(
            locked_by="op-snapshot", lock_expires_at=datetime.now(UTC) + timedelta(minutes=1)
        )

    def taken_meanwhile() -> list[tuple[str, str]]:
        # A user's snapshot begins during the sweep: the database is locked and its pool
        # snapshot made; the record is written after the listing.
        asyncio.run_coroutine_threadsafe(lock_for_snapshot(), loop).result()
        world.pool.create_snapshot(row.volume, "snap-inflight0000")
        return list_snapshots()

    world.pool.list_snapshots = taken_meanwhile  # type: ignore[method-assign]
    await world.controller.sweep()
    assert (row.volume, "snap-inflight0000") in world.pool.snapshots


@scenario
async def test_a_database_made_after_the_sweep_listed_containers_is_not_brought_back(
    world: World,
) -> None:
    listed_before = world.runtime.list_managed()  # the sweep's listing, then a create
    row = await world.create("fresh")
    container = world.runtime.of_database(row.id)
    assert container is not None
    world.runtime.list_managed = lambda: listed_before  # type: ignore[method-assign]
    await world.controller.sweep()
    assert world.runtime.of_database(row.id) is container and container.info.running
    assert "database.recovered" not in [event for event, _ in await world.events(row.id)]


@scenario
async def test_a_database_stopped_after_the_sweep_listed_containers_is_left_alone(
    world: World,
) -> None:
    """The listing said running, the stop finished before the rows were read: nothing is
    stopped again, and no lock is taken that would refuse the user's next start."""
    row = await world.create("just-stopped")
    listed_before = world.runtime.list_managed()
    await world.databases.stop(row.id)
    world.runtime.list_managed = lambda: listed_before  # type: ignore[method-assign]
    operations_before = await Operation.all().count()
    await world.controller.sweep()
    assert await Operation.all().count() == operations_before
    await world.databases.start(row.id)
    await row.refresh_from_db()
    assert row.status == lifecycle.RUNNING


@scenario
async def test_a_template_init_run_is_left_to_its_live_owner_and_removed_once_it_is_gone(
    world: World,
) -> None:
    runs: list[ContainerSpec] = []
    run_once = world.runtime.run_once

    def recorded(spec: ContainerSpec, timeout_s: float) -> ExecResult:
        runs.append(spec)
        return run_once(spec, timeout_s)

    world.runtime.run_once = recorded  # type: ignore[method-assign]
    provisioner = world.databases.provisioner
    provisioner.own_volume = lambda engine, volume: None  # type: ignore[method-assign]
    engine = world.databases.catalog.engine("fake")
    await provisioner.ensure_template(engine, "1", "fake:1")  # by a run this process owns
    assert [spec.labels.get(TOOL_OWNER_LABEL) for spec in runs] == [operations.THIS_PROCESS]
    ended = f"{socket.gethostname()}:{2**22 + 1}:0:gone"  # above any pid this kernel gives
    for ref, owner in (("init-live", operations.THIS_PROCESS), ("init-dead", ended)):
        labels = {INSTALL_LABEL: world.runtime.install_id, TOOL_OWNER_LABEL: owner}
        info = ContainerInfo(ref, f"stagdb-init-{ref}", "created", labels)  # not started yet
        world.runtime.containers[ref] = FakeContainer(info, None)
    await world.controller.sweep()
    assert "init-live" in world.runtime.containers
    assert "init-dead" not in world.runtime.containers


def warm_engine(world: World, name: str, owner: str, port: int | None = None) -> FakeContainer:
    """A warm engine's container as the runtime lists it: labelled standby and owned by the
    process that made it, its database (once taken) only in its name."""
    labels = {
        INSTALL_LABEL: world.runtime.install_id,
        STANDBY_LABEL: "fake",
        TOOL_OWNER_LABEL: owner,
    }
    info = ContainerInfo(
        f"warm-{name}", f"stagdb-{world.runtime.install_id}-{name}", "created", labels
    )
    world.runtime.containers[info.id] = container = FakeContainer(info, port)
    world.runtime.start(info.id)
    return container


@scenario
async def test_a_taken_warm_engine_is_its_databases_container_whoever_made_it(
    world: World,
) -> None:
    provisioner = world.databases.provisioner
    provisioner.warm = WarmEngines(
        world.runtime, world.runtime.install_id, "local", Path("/nonexistent/warm"), 2
    )
    row = await world.create("served")
    classic = world.runtime.of_database(row.id)
    assert classic is not None
    world.runtime.remove(classic.info.id)
    ended = f"{socket.gethostname()}:{2**22 + 1}:0:gone"  # the server that made it is gone
    taken = warm_engine(world, row.id, ended, provisioner.engine_port(row.port))
    for _ in range(3):
        await world.controller.sweep()
    assert world.runtime.containers.get(taken.info.id) is taken and taken.info.running
    assert world.runtime.of_database(row.id) is None  # nothing was made in its place
    await row.refresh_from_db()
    assert (row.status, row.error) == (lifecycle.RUNNING, None)
    assert "database.recovered" not in [event for event, _ in await world.events(row.id)]
    assert provisioner.database_named(ContainerEvent("die", None, taken.info.name)) == row.id


@scenario
async def test_a_waiting_warm_engine_is_removed_once_the_server_that_made_it_is_gone(
    world: World,
) -> None:
    world.databases.provisioner.warm = WarmEngines(
        world.runtime, world.runtime.install_id, "local", Path("/nonexistent/warm"), 2
    )
    ended = f"{socket.gethostname()}:{2**22 + 1}:0:gone"
    mine = warm_engine(world, "standby-000000000001", operations.THIS_PROCESS)
    left = warm_engine(world, "standby-000000000002", ended)
    await world.controller.sweep()
    assert mine.info.id in world.runtime.containers
    assert left.info.id not in world.runtime.containers
