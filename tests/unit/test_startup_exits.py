"""A start-up wait learns of its engine's exit from Docker's event stream: at once, and with
one question to Docker rather than one every quarter second. On in-process fakes of the
runtime and pool; the real exit is tested through the API in tests/integration/test_operations.py
(`test_failed_create_rolls_back_every_step`)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from app.domain.provisioning import EXITED_CHECK_S, EngineFailedToStart, Placement, Provisioner
from app.domain.startup_exits import StartupExits
from app.drivers.port_claims import PortClaims
from app.drivers.runtime.base import ContainerEvent, ContainerInfo, ExecResult
from app.identity import ensure_install_id
from tests.fakes import FakeEngine, FakePool, FakeRuntime


def test_an_exit_is_reported_only_while_its_database_is_waited_for() -> None:
    exits = StartupExits()
    exits.report("db-a", "die")  # nobody waits: forgotten
    with exits.waiting_for("db-a") as ended:
        assert not ended()
        exits.report("db-b", "die")  # another database
        exits.report("db-a", "start")  # not an end
        assert not ended()
        exits.report("db-a", "die")
        assert ended()
        assert not ended()  # told once
        exits.report(None, "destroy")
    exits.report("db-a", "oom")
    with exits.waiting_for("db-a") as ended:
        assert not ended()


def test_following_counts_the_streams_followed() -> None:
    exits = StartupExits()
    assert not exits.followed
    with exits.following():
        assert exits.followed
    assert not exits.followed


class NeverReadyRuntime(FakeRuntime):
    """Engines that never answer; `watch` passes on the events `emit` queues, as Docker's
    stream does; `inspect` calls are counted."""

    def __init__(self, install_id: str) -> None:
        super().__init__(install_id)
        self.inspects = 0
        self.events: list[ContainerEvent] = []
        self.streaming = threading.Event()
        self._emitted = threading.Condition()

    def exec(self, container_id: str, argv: list[str], user: str) -> ExecResult:
        return ExecResult(1, "")

    def inspect(self, container_id: str) -> ContainerInfo:
        self.inspects += 1
        return super().inspect(container_id)

    def emit(self, event: ContainerEvent) -> None:
        with self._emitted:
            self.events.append(event)
            self._emitted.notify()

    def watch(self, on_event: object, stop: threading.Event) -> None:
        assert callable(on_event)
        self.streaming.set()
        while not stop.is_set():
            with self._emitted:
                self._emitted.wait(0.05)
                pending, self.events = self.events, []
            for event in pending:
                on_event(event)


@pytest.mark.parametrize("followed", [True, False])
def test_an_engine_that_exits_during_start_up_fails_its_wait(
    tmp_path: Path, followed: bool
) -> None:
    install = ensure_install_id(tmp_path)
    runtime = NeverReadyRuntime(install)
    provisioner = Provisioner(
        runtime=runtime, pool=FakePool(), host="local", install_id=install,
        port_claims=PortClaims(tmp_path / "claims", install, tmp_path),
        network_mode="host", bind_address="127.0.0.1", ready_timeout_s=30,
    )  # fmt: skip
    engine = FakeEngine(runtime)
    placement = Placement("db-doomed", engine, "1", "fake:1", "db-doomed", 0, None, None, "user")
    name = provisioner.container_name("db-doomed")
    container_id = runtime.run(provisioner.container_spec(placement))
    stop, seen = threading.Event(), list[ContainerEvent]()
    watcher = threading.Thread(
        target=provisioner.watch_containers, args=(seen.append, stop), daemon=True
    )
    if followed:
        watcher.start()
        assert runtime.streaming.wait(5)

    def engine_exits() -> None:
        runtime.die(container_id, exit_code=3)
        runtime.emit(ContainerEvent("die", "db-doomed", name))

    async def wait() -> None:
        asyncio.get_running_loop().call_later(0.6, engine_exits)
        await provisioner.wait_ready(container_id, placement, None)

    try:
        with pytest.raises(EngineFailedToStart, match="fake exited during start-up"):
            asyncio.run(wait())
    finally:
        stop.set()
        if followed:
            watcher.join(5)
    if followed:
        # Told by the stream: Docker was asked once, when the exit was reported.
        assert runtime.inspects == 1
        assert [event.action for event in seen] == ["die"]
    else:
        # Not followed: asked every EXITED_CHECK_S until the exit showed.
        assert runtime.inspects >= int(0.6 / EXITED_CHECK_S)
