"""Warm engines' rules on an in-process fake runtime and real directories (no mounts): which
container serves which database, when a slot is a leftover, and when no warm engine is used.
Against real Docker and every storage backend: tests/integration/test_warm_engines.py."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from app.domain.warm_engines import Standby, WarmEngines
from app.drivers.runtime.base import (
    DATABASE_LABEL,
    INSTALL_LABEL,
    STANDBY_LABEL,
    ContainerInfo,
    ContainerSpec,
)
from tests.fakes import FakeEngine, FakeRuntime

INSTALL = "sdbwarmtest00"


def engines(root: Path) -> WarmEngines:
    return WarmEngines(FakeRuntime(INSTALL), INSTALL, "local", root, 2)


def container(name: str, labels: dict[str, str]) -> ContainerInfo:
    return ContainerInfo(f"id-{name}", name, "running", {INSTALL_LABEL: INSTALL, **labels})


def slot(root: Path, name: str, age_s: float = 0) -> Path:
    directory = root / name
    (directory / "data").mkdir(parents=True)
    (directory / "control").mkdir()
    os.mkfifo(directory / "control" / "command")
    then = time.time() - age_s
    os.utime(directory, (then, then))
    return directory


def test_a_taken_warm_engine_serves_the_database_its_name_says(tmp_path: Path) -> None:
    warm = engines(tmp_path)
    taken = container(f"stagdb-{INSTALL}-db-abcdefghijkl", {STANDBY_LABEL: "postgresql"})
    waiting = container(f"stagdb-{INSTALL}-standby-0123456789ab", {STANDBY_LABEL: "postgresql"})
    made = container("anything", {DATABASE_LABEL: "db-000000000001"})
    foreign = container(f"stagdb-{INSTALL}-db-abcdefghijkl", {})  # no label says whose
    assert warm.database_of(taken) == "db-abcdefghijkl"
    assert warm.database_of(waiting) is None and warm.is_waiting(waiting)
    assert warm.database_of(made) == "db-000000000001"
    assert warm.database_of(foreign) is None
    assert warm.database_named(f"/stagdb-{INSTALL}-db-abcdefghijkl") == "db-abcdefghijkl"
    assert warm.database_named(f"stagdb-{INSTALL}-db-abcdefghijkl-import") is None
    assert warm.database_named("stagdb-otherinstall-db-abcdefghijkl") is None


def test_leftover_slots_are_released_and_live_ones_kept(tmp_path: Path) -> None:
    warm = engines(tmp_path)
    served = slot(tmp_path, "db-served000000")
    busy = slot(tmp_path, "db-busy00000000")
    gone = slot(tmp_path, "db-gone00000000")
    waiting = slot(tmp_path, "standby-00000000000a", age_s=600)
    fresh = slot(tmp_path, "standby-00000000000b")  # its container is being made
    stale = slot(tmp_path, "standby-00000000000c", age_s=600)
    listed = [
        container(f"stagdb-{INSTALL}-db-served000000", {STANDBY_LABEL: "fake"}),
        container(f"stagdb-{INSTALL}-standby-00000000000a", {STANDBY_LABEL: "fake"}),
    ]
    asyncio.run(warm.remove_leftovers(listed, busy={"db-busy00000000"}))
    assert {path.name for path in tmp_path.iterdir()} == {
        served.name, busy.name, waiting.name, fresh.name,
    }  # fmt: skip
    assert not gone.exists() and not stale.exists()


def test_a_slot_with_data_in_it_is_never_deleted(tmp_path: Path) -> None:
    """Release removes directories with rmdir only: should an unmount not have happened,
    whatever lies in `data` (a volume's files) stays."""
    warm = engines(tmp_path)
    directory = slot(tmp_path, "db-kept00000000")
    (directory / "data" / "PG_VERSION").write_text("15\n")
    asyncio.run(warm.release("db-kept00000000"))
    assert (directory / "data" / "PG_VERSION").read_text() == "15\n"


def test_no_warm_engine_is_used_when_none_waits_or_the_command_cannot_be_sent(
    tmp_path: Path,
) -> None:
    warm = engines(tmp_path)
    engine = FakeEngine(FakeRuntime(INSTALL))

    async def take(command: list[str]) -> str | None:
        return await warm.take(engine, "fake:1", "db-abcdefghijkl", tmp_path, command)

    assert asyncio.run(take(["postgres", "-p", "5432"])) is None  # none made yet
    warm._ready[(engine.name, "fake:1")] = [Standby("c1", "standby-000000000001")]
    assert asyncio.run(take(["postgres", "-c", "a=line one\nline two"])) is None
    assert warm.waiting() == {"fake:1": 1}, "a command it cannot carry leaves the engine waiting"


def test_refills_wait_while_a_taken_engine_starts_and_no_longer(tmp_path: Path) -> None:
    """A fan-out's engines get the CPU before new warm engines are made; a create stream,
    whose creates each wait for their engine, gets refills between them; a take never
    reported started holds refills back for `refill_after_s` at most."""
    warm = WarmEngines(FakeRuntime(INSTALL), INSTALL, "local", tmp_path, 2, refill_after_s=0.2)
    assert warm.refill_pause() == 0
    warm._starting.update({"c1": time.monotonic(), "c2": time.monotonic()})
    warm.settled("c1")
    assert 0 < warm.refill_pause() <= 0.2, "c2 still starts"
    warm.settled("c2")
    assert warm.refill_pause() == 0
    warm._starting["c3"] = time.monotonic()  # its start never reported
    time.sleep(0.25)
    assert warm.refill_pause() == 0


class SlowRuntime(FakeRuntime):
    def run(self, spec: ContainerSpec) -> str:
        time.sleep(0.3)  # a container being made when the server stops
        return super().run(spec)


def test_a_warm_engine_being_made_when_the_server_stops_is_removed_too(tmp_path: Path) -> None:
    runtime = SlowRuntime(INSTALL)
    warm = WarmEngines(runtime, INSTALL, "local", tmp_path, 2)
    warm._root_ready = True  # the shared mount is the integration test's business
    engine = FakeEngine(runtime)
    engine.run_as = f"{os.getuid()}:{os.getgid()}"

    async def serve_briefly() -> None:
        async with warm.running():
            warm.want(engine, "fake:1")
            await asyncio.sleep(0.1)

    asyncio.run(serve_briefly())
    assert runtime.containers == {}
    assert list(tmp_path.iterdir()) == []
