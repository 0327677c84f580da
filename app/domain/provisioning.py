"""Drives storage, runtime and engine together for one database: templates, volumes,
containers and readiness. Holds no metadata; the services decide what to do."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from threading import Event

from app.domain.doors import Doors
from app.domain.operations import THIS_PROCESS
from app.domain.spare_volumes import SpareVolumes
from app.domain.startup_exits import StartupExits
from app.domain.template_passwords import TemplatePasswords
from app.domain.warm_engines import WarmEngines, database_container_name
from app.drivers import file_changes
from app.drivers.forwarding import KernelForwarding
from app.drivers.front import ConnectionFront, Route
from app.drivers.port_claims import PortClaim, PortClaims
from app.drivers.runtime.base import (
    DATABASE_LABEL,
    HOST_LABEL,
    MANAGED_LABEL,
    STANDBY_LABEL,
    TOOL_FOR_LABEL,
    TOOL_OWNER_LABEL,
    ContainerEvent,
    ContainerInfo,
    ContainerNotFound,
    ContainerRuntime,
    ContainerSpec,
    ContainerStats,
    ExecResult,
    LogLine,
    Mount,
    RuntimeFailure,
)
from app.drivers.storage import SpaceUsage, StorageFailure, StoragePool
from app.engines import Engine, Listen
from app.engines.tuning import Value
from app.errors import ServerError
from app.models import Database

log = logging.getLogger(__name__)

READY_POLL_S = 0.05
NETWORK_POLL_S = 0.02
FILES_POLL_S = 0.02
FILES_WATCHED_POLL_S = 0.1  # read at once when written; this pause only backs the watch up
# How often a start-up wait asks Docker whether the engine exited: while Docker's event
# stream is followed it reports an exit at once, and asking is only for one it missed.
EXITED_CHECK_S = 0.25
EXITED_CHECK_FOLLOWED_S = 2.0
ENGINE_HOST = "127.0.0.1"  # engines listen here only: the connection front is their door
# Where a container's engine listens; containers made before the front lack it.
ENGINE_PORT_LABEL = "io.stagdb.engine-port"
# Read-only root, run dirs on tmpfs, the engine's capabilities only; older containers lack it.
CONFINED_LABEL = "io.stagdb.confined"
# A scratch container (see `scratch_server`) carries the time after which it is an orphan
# whatever its state, should the process that made it die before removing it.
SCRATCH_UNTIL_LABEL = "io.stagdb.scratch-until"
SCRATCH_LIFETIME_S = 900
TOOL_OUTPUT_LINES = 1_000_000  # a tool's whole output, however long its restore's list
TOOL_LABEL = "io.stagdb.tool"  # a tool's run (an import), removed by whoever started it


@dataclass(frozen=True)
class Placement:
    """Everything needed to run one database's container."""

    database_id: str
    engine: Engine
    version: str
    image: str
    volume: str
    port: int
    memory_bytes: int | None
    cpus: float | None
    username: str  # the connection account
    password: str = ""
    settings: Mapping[str, Value] = field(default_factory=dict)  # engine settings overridden


class EngineFailedToStart(ServerError):
    """The engine did not come up; the message is safe to show (it names no internals)."""


class VolumeMissing(ServerError):
    """The database's volume is not in the pool; the message is safe to show."""


class Provisioner:
    def __init__(
        self,
        runtime: ContainerRuntime,
        pool: StoragePool,
        host: str,
        install_id: str,
        port_claims: PortClaims,
        network_mode: str,
        bind_address: str,
        ready_timeout_s: float,
        pids_limit: int | None = None,
        pool_min_free_bytes: int = 0,
        front: ConnectionFront | None = None,
        engine_port_offset: int = 10000,
        disk_quota_bytes: int | None = None,
        forwarding: KernelForwarding | None = None,
        warm: WarmEngines | None = None,
        template_passwords: TemplatePasswords | None = None,
    ) -> None:
        self.disk_quota_bytes = disk_quota_bytes
        self.runtime = runtime
        self.pool = pool
        self.host = host
        self.install_id = install_id
        self.port_claims = port_claims
        self.network_mode = network_mode
        self.bind_address = bind_address
        self.ready_timeout_s = ready_timeout_s
        self.pids_limit = pids_limit
        self.pool_min_free_bytes = pool_min_free_bytes
        self.front = front or ConnectionFront(bind_address, hold_s=ready_timeout_s)
        self.engine_port_offset = engine_port_offset
        self.doors = Doors(self.front, forwarding, self.engine_port)
        # Containers started ahead. Kept when they are off too: databases running in warm
        # engines taken before are still known by their names, and unbound when removed.
        self.warm = warm
        # A clone of each template made ahead, named for the database that will take it.
        self.spares = SpareVolumes(pool)
        self.template_passwords = template_passwords or TemplatePasswords(None)
        self._template_locks: dict[str, asyncio.Lock] = {}
        # When each container this process started was started (epoch seconds), until its
        # start-up wait reads it: a lock file older than that is a previous server's.
        self._launched: dict[str, float] = {}
        # Databases whose engine would not checkpoint over the network (older data or engine).
        self._checkpoint_by_exec: set[str] = set()
        self.exits = StartupExits()
        # Read from the mount table before the first start (`StoragePool.syncs_as_a_whole`).
        self._pool_syncs_as_a_whole: bool | None = None

    def engine_port(self, port: int) -> int:
        """Where the engine of the database published at `port` listens (on ENGINE_HOST)."""
        return port + self.engine_port_offset

    def listen(self, engine: Engine, port: int) -> Listen:
        if self.network_mode == "host":
            return Listen(address=ENGINE_HOST, port=self.engine_port(port))
        return Listen(address="*", port=engine.container_port)

    async def expose(self, placement: Placement) -> None:
        """Have the connection front serve the database's published port."""
        route = Route(
            placement.database_id,
            ENGINE_HOST,
            self.engine_port(placement.port),
            placement.engine.refusal,
        )
        try:
            await self.front.open(placement.port, route)
        except OSError as exc:
            raise FrontFailure(f"cannot listen on port {placement.port}: {exc}") from exc

    async def unexpose(self, port: int, database_id: str) -> None:
        """Stop serving `port` for `database_id`; once it serves another database (taken
        meanwhile by a new one), it is left serving that one."""
        if self.front.ports().get(port) != database_id:
            return
        await self.doors.withdraw_port(port)
        await self.front.close(port, database_id)

    async def ensure_template(self, engine: Engine, version: str, image: str) -> str:
        """The per-version template volume, initialised once and cloned for every new database."""
        volume = engine.template_volume(version)
        lock = self._template_locks.setdefault(volume, asyncio.Lock())
        async with lock:
            if await asyncio.to_thread(self.pool.volume_exists, volume):
                return volume
            try:
                await self._initialise_template(engine, version, image, volume)
            except BaseException:
                await asyncio.to_thread(self.pool.destroy_volume, volume)
                self.template_passwords.forget(volume)
                raise
        return volume

    def template_login(self, engine: Engine, template: str) -> tuple[str, str] | None:
        """(account, password) a database's first start may log in with over the network,
        when the template holds a password this install knows."""
        if not engine.admin_logs_in_over_network:
            return None
        password = self.template_passwords.of(template)
        return None if password is None else (engine.superuser_username, password)

    async def _initialise_template(
        self, engine: Engine, version: str, image: str, volume: str
    ) -> None:
        building = f"{volume}-building"
        await asyncio.to_thread(self.pool.destroy_volume, building)
        path = await asyncio.to_thread(self.pool.create_volume, building)
        await asyncio.to_thread(self.own_volume, engine, building)
        admin_password = (
            self.template_passwords.new(volume) if engine.admin_logs_in_over_network else None
        )
        spec = ContainerSpec(
            name=f"stagdb-{self.install_id}-init-{volume}-{os.getpid()}",
            image=image,
            command=engine.init_command(version, admin_password),
            user=engine.run_as,
            # Owned by this process, like a tool's run: the controller's sweeps leave it to
            # `run_once` (which reads its output, then removes it) while this process lives.
            labels={MANAGED_LABEL: "true", HOST_LABEL: self.host, TOOL_OWNER_LABEL: THIS_PROCESS},
            mounts=[Mount(str(path), engine.data_dir)],
            network_mode="none",
            capabilities=engine.capabilities,
            read_only_root=True,
            tmpfs=engine.run_dirs,
        )
        try:
            result = await asyncio.to_thread(self.runtime.run_once, spec, 300)
            if result.exit_code != 0:
                log.error("template init for %s failed: %s", volume, result.output[-2000:])
                raise EngineFailedToStart(f"Initialising the {engine.name} template failed")
            await asyncio.to_thread(self.pool.clone_volume, building, volume)
        finally:
            await asyncio.to_thread(self.pool.destroy_volume, building)

    def own_volume(self, engine: Engine, volume: str) -> None:
        uid, gid = (int(part) for part in engine.run_as.split(":"))
        path = self.pool.volume_path(volume)
        os.chown(path, uid, gid)
        os.chmod(path, 0o700)

    def container_spec(self, placement: Placement) -> ContainerSpec:
        engine = placement.engine
        listen = self.listen(engine, placement.port)
        return ContainerSpec(
            name=self.container_name(placement.database_id),
            image=placement.image,
            command=engine.server_command(listen, self._settings(placement), placement.version),
            user=engine.run_as,
            labels={
                MANAGED_LABEL: "true",
                DATABASE_LABEL: placement.database_id,
                HOST_LABEL: self.host,
                ENGINE_PORT_LABEL: str(self.engine_port(placement.port)),
                CONFINED_LABEL: "true",
            },
            mounts=[Mount(str(self.pool.volume_path(placement.volume)), engine.data_dir)],
            network_mode=self.network_mode,
            published_port=None
            if self.network_mode == "host"
            else (ENGINE_HOST, self.engine_port(placement.port), engine.container_port),
            memory_bytes=placement.memory_bytes,
            cpus=placement.cpus,
            pids_limit=self.pids_limit,
            stop_signal=engine.stop_signal,
            capabilities=engine.capabilities,
            read_only_root=True,
            tmpfs=engine.run_dirs,
        )

    def _settings(self, placement: Placement) -> Mapping[str, Value]:
        """The database's settings, made safe for the pool: where a sync of the whole file
        system does not reach its storage, the engine syncs file by file instead."""
        if self._pool_syncs_as_a_whole is not False:
            return placement.settings
        return placement.engine.settings_without_whole_sync(placement.settings, placement.version)

    def container_name(self, database_id: str) -> str:
        return database_container_name(self.install_id, database_id)

    async def run_container(self, placement: Placement) -> str:
        """Start the database's engine: in a warm engine when one of its image waits,
        otherwise in a container made for it. Replaces any container of the database."""
        if self._pool_syncs_as_a_whole is None:  # its path lookup may wait for zfs-fuse
            self._pool_syncs_as_a_whole = await asyncio.to_thread(self.pool.syncs_as_a_whole)
        spec = self.container_spec(placement)
        launched = time.time()
        container_id = None
        await self._remove_warm_container(placement.database_id)
        if self.warm is not None and self.takes_warm_engines:
            container_id = await self.warm.take(
                placement.engine,
                placement.image,
                placement.database_id,
                self.pool.volume_path(placement.volume),
                spec.command,
                (placement.memory_bytes, placement.cpus),
            )
        if container_id is None:
            container_id = await asyncio.to_thread(self.runtime.run, spec)
        self._launched[container_id] = launched
        return container_id

    async def _remove_warm_container(self, database_id: str) -> None:
        """A taken warm engine is not started again (its command went to it once): before
        the database runs anew, remove it and unbind the volume it served (only then:
        unbinding would pull the data from under a running engine)."""
        if self.warm is None or not self.warm.has_slot(database_id):
            return
        with contextlib.suppress(ContainerNotFound):
            await asyncio.to_thread(self.runtime.remove, self.container_name(database_id))
        await self.warm.release(database_id)

    @property
    def takes_warm_engines(self) -> bool:
        """Only on the host's network, where the engine's port is part of its command line
        rather than fixed when its container is made."""
        return self.warm is not None and self.warm.enabled and self.network_mode == "host"

    @asynccontextmanager
    async def warm_engines_running(self) -> AsyncIterator[None]:
        if self.warm is None or not self.takes_warm_engines:
            yield
            return
        async with self.warm.running():
            yield

    def database_of(self, container: ContainerInfo) -> str | None:
        """The database a container of this install serves, if any."""
        if self.warm is None:
            return container.labels.get(DATABASE_LABEL)
        return self.warm.database_of(container)

    def database_named(self, event: ContainerEvent) -> str | None:
        if event.database_id or self.warm is None:
            return event.database_id
        return self.warm.database_named(event.name)

    async def wait_ready(
        self,
        container_id: str,
        placement: Placement,
        credentials: tuple[str, str] | None,
        login_password: str | None = None,
        login_as: str | None = None,
    ) -> None:
        """Wait until the engine answers; with `credentials`, set that user's password.

        When the password the data already holds is known (`login_password`: the database's
        own, its parent's for a fresh branch, or its template's admin's, with `login_as`, for
        a new database) readiness is probed by logging in over the network, which is much
        cheaper than `docker exec`; otherwise the engine's own client runs inside the
        container until it succeeds. Where the engine tells its state in its data directory,
        the login waits until it says it is ready: ten engines starting at once then spend
        no CPU refusing connection attempts.
        """
        try:
            await self._until_ready(container_id, placement, credentials, login_password, login_as)
        finally:
            if self.warm is not None:
                self.warm.settled(container_id)  # refills wait for it no longer

    async def _until_ready(
        self,
        container_id: str,
        placement: Placement,
        credentials: tuple[str, str] | None,
        login_password: str | None,
        login_as: str | None,
    ) -> None:
        engine = placement.engine
        deadline = time.monotonic() + self.ready_timeout_s
        launched = self._launched.pop(container_id, None)
        if login_password is not None and launched is not None:
            data = self.pool.volume_path(placement.volume)

            async def ready_by_files() -> bool | None:
                return await asyncio.to_thread(engine.ready_by_files, data, launched)

            async with file_changes.written(data) as written:
                await self._poll(
                    ready_by_files, container_id, engine, deadline,
                    FILES_POLL_S if written is None else FILES_WATCHED_POLL_S,
                    placement.database_id, written,
                )  # fmt: skip
        if login_password is not None:
            username = credentials[0] if credentials else placement.username
            new_password = credentials[1] if credentials else None
            host, port = self.client_address(placement.port)

            async def login() -> bool | None:
                return await engine.ready_over_network(
                    host, port, username, login_password, new_password, login_as
                )

            if await self._poll(
                login, container_id, engine, deadline, NETWORK_POLL_S, placement.database_id
            ):
                return
        listen = self.listen(engine, placement.port)
        command = (
            engine.set_credentials_command(listen, *credentials)
            if credentials
            else engine.ready_command(listen)
        )

        async def in_container() -> bool | None:
            result = await asyncio.to_thread(
                self.runtime.exec, container_id, command, engine.run_as
            )
            return result.exit_code == 0

        await self._poll(
            in_container, container_id, engine, deadline, READY_POLL_S, placement.database_id
        )

    async def _poll(
        self,
        probe: Callable[[], Awaitable[bool | None]],
        container_id: str,
        engine: Engine,
        deadline: float,
        pause_s: float,
        database_id: str | None = None,
        changed: asyncio.Event | None = None,
    ) -> bool:
        """Run `probe` until it answers True (done) or None (cannot tell: returns False),
        every `pause_s`, and at once each time `changed` is set (when what it reads changed).
        Whether the engine exited meanwhile is asked of Docker when the event stream reports
        the database's container ended, and every EXITED_CHECK_S (EXITED_CHECK_FOLLOWED_S
        while the stream is followed) for an exit it did not report."""
        with self._exit_reports(database_id) as ended:
            exited_check = time.monotonic() + self._exited_check_s(database_id)
            while True:
                try:
                    outcome = await probe()
                except RuntimeFailure:
                    await self._fail_if_exited(container_id, engine)
                    raise
                if outcome is not False:
                    return bool(outcome)
                if ended() or time.monotonic() >= exited_check:
                    await self._fail_if_exited(container_id, engine)
                    exited_check = time.monotonic() + self._exited_check_s(database_id)
                if time.monotonic() > deadline:
                    raise EngineFailedToStart(
                        f"{engine.name} did not accept connections within "
                        f"{self.ready_timeout_s:.0f}s; see the database logs"
                    )
                await _pause(pause_s, changed)

    def _exit_reports(self, database_id: str | None) -> AbstractContextManager[Callable[[], bool]]:
        if database_id is None:  # a scratch or tool container: no database to report on
            return nullcontext(lambda: False)
        return self.exits.waiting_for(database_id)

    def _exited_check_s(self, database_id: str | None) -> float:
        if database_id is not None and self.exits.followed:
            return EXITED_CHECK_FOLLOWED_S
        return EXITED_CHECK_S

    def client_address(self, port: int) -> tuple[str, int]:
        """Where this server reaches the engine of the database published at `port`."""
        return ENGINE_HOST, self.engine_port(port)

    async def _fail_if_exited(self, container_id: str, engine: Engine) -> None:
        info = await asyncio.to_thread(self.runtime.inspect, container_id)
        if info.status in ("exited", "dead"):
            # The rollback removes the container, and its logs with it: keep their end here.
            with contextlib.suppress(RuntimeFailure):
                lines = await asyncio.to_thread(self.runtime.logs, container_id, 20, None)
                log.error(
                    "%s exited during start-up (exit code %s): %s",
                    container_id[:12],
                    info.exit_code,
                    " | ".join(line.message for line in lines),
                )
            raise EngineFailedToStart(
                f"{engine.name} exited during start-up; see the database logs"
            )

    async def bring_up(self, placement: Placement, container_id: str | None, password: str) -> str:
        """Start the database's container, or make a new one on its volume when the old one
        is gone; answers when the engine accepts the database's own password."""
        if not await asyncio.to_thread(self.pool.volume_exists, placement.volume):
            raise VolumeMissing(
                "The database's data volume is missing from the storage pool "
                "(is the pool mounted?); it cannot be started"
            )
        await self.doors.hold(placement.database_id)  # clients meet the front until it runs
        if container_id is not None:
            try:
                info = await asyncio.to_thread(self.runtime.inspect, container_id)
                if not self.restartable(info):  # a taken warm engine, or an older StagDB's
                    await asyncio.to_thread(self.runtime.remove, container_id)
                    container_id = None
                else:
                    launched = time.time()
                    await asyncio.to_thread(self.runtime.start, container_id)
                    self._launched[container_id] = launched
            except ContainerNotFound:
                container_id = None
        if container_id is None:
            container_id = await self.run_container(placement)
        await self.wait_ready(container_id, placement, None, login_password=password)
        self.doors.release(placement.database_id)
        return container_id

    def current(self, container: ContainerInfo) -> bool:
        """Whether the container is made as this StagDB makes them: its engine listens where
        the connection front expects it, and it is confined (a taken warm engine is both)."""
        labels = container.labels
        return STANDBY_LABEL in labels or (ENGINE_PORT_LABEL in labels and CONFINED_LABEL in labels)

    def restartable(self, container: ContainerInfo) -> bool:
        """Whether starting the container again starts its engine: not so a warm engine's,
        whose command line went to it once."""
        return self.current(container) and STANDBY_LABEL not in container.labels

    @asynccontextmanager
    async def scratch_server(
        self,
        engine: Engine,
        version: str,
        image: str,
        origin: tuple[str, str | None],
        volume: str,
    ) -> AsyncIterator[tuple[str, Listen]]:
        """A short-lived engine with no network on `volume`, a throwaway clone of the volume
        `origin[0]` (or of its snapshot `origin[1]`), for reading data nobody serves; yields
        once it accepts commands in its container. Container and clone go when the block
        ends, whatever happens; both are named so the controller sweeps them up should this
        process die first."""
        source, snapshot = origin
        listen = Listen(ENGINE_HOST, engine.container_port)
        name = f"stagdb-{self.install_id}-scratch-{volume}"
        try:
            if snapshot is None:
                await self.clone_volume(source, volume)
            else:
                await self.clone_snapshot(source, snapshot, volume)
            container_id = await asyncio.to_thread(
                self.runtime.run, self._scratch_spec(engine, version, image, volume, name, listen)
            )
            command = engine.ready_command(listen)

            async def ready() -> bool | None:
                result = await asyncio.to_thread(
                    self.runtime.exec, container_id, command, engine.run_as
                )
                return result.exit_code == 0

            deadline = time.monotonic() + self.ready_timeout_s
            await self._poll(ready, container_id, engine, deadline, READY_POLL_S)
            yield container_id, listen
        finally:
            await self._remove_scratch(name, volume)

    def _scratch_spec(
        self, engine: Engine, version: str, image: str, volume: str, name: str, listen: Listen
    ) -> ContainerSpec:
        until = int(time.time() + SCRATCH_LIFETIME_S)
        return ContainerSpec(
            name=name,
            image=image,
            command=engine.server_command(listen, {}, version),
            user=engine.run_as,
            labels={MANAGED_LABEL: "true", HOST_LABEL: self.host, SCRATCH_UNTIL_LABEL: str(until)},
            mounts=[Mount(str(self.pool.volume_path(volume)), engine.data_dir)],
            network_mode="none",
            pids_limit=self.pids_limit,
            stop_signal=engine.stop_signal,
            capabilities=engine.capabilities,
            read_only_root=True,
            tmpfs=engine.run_dirs,
        )

    async def _remove_scratch(self, name: str, volume: str) -> None:
        try:
            await asyncio.to_thread(self.runtime.remove, name)
        except ContainerNotFound:
            pass
        except RuntimeFailure as exc:
            log.error("could not remove scratch container %s: %s", name, exc)
        try:
            await self.destroy_volume(volume)
        except StorageFailure as exc:
            log.error("could not destroy scratch volume %s: %s", volume, exc)

    async def thaw(self, container_id: str) -> None:
        await asyncio.to_thread(self.runtime.unpause, container_id)

    async def stop_container(self, container_id: str | None, database_id: str) -> None:
        """Stop the container; one that is gone already counts as stopped."""
        await self.doors.hold(database_id)
        for ref in filter(None, (container_id, self.container_name(database_id))):
            try:
                await asyncio.to_thread(self.runtime.stop, ref, 30)
            except ContainerNotFound:
                continue

    async def update_resources(
        self, container_id: str, memory_bytes: int | None, cpus: float | None
    ) -> None:
        await asyncio.to_thread(self.runtime.update_resources, container_id, memory_bytes, cpus)

    async def remove_container(self, container_id: str | None, database_id: str) -> None:
        """Remove the container by id and by its conventional name; gone already is fine."""
        await self.doors.hold(database_id)
        for ref in filter(None, (container_id, self.container_name(database_id))):
            try:
                await asyncio.to_thread(self.runtime.remove, ref)
            except ContainerNotFound:
                continue
        if self.warm is not None:
            await self.warm.release(database_id)

    async def clone_template(self, template: str, volume: str) -> None:
        await asyncio.to_thread(self.pool.clone_volume, template, volume)

    @asynccontextmanager
    async def consistent(
        self, container_id: str | None, placement: Placement, credentials: tuple[str, str]
    ) -> AsyncIterator[None]:
        """Hold a running database still enough for a consistent image of its volume.

        Every transaction committed before this is entered is on disk in the volume: the
        engine checkpoints first (so a copy starts without long recovery), and on backends
        whose snapshots are not atomic the container is frozen for the copy itself.
        """
        if container_id is None:
            yield
            return
        await self._checkpoint(container_id, placement, credentials)
        if self.pool.atomic_snapshots:
            yield
            return
        await asyncio.to_thread(self.runtime.pause, container_id)
        try:
            yield
        finally:
            await asyncio.to_thread(self.runtime.unpause, container_id)

    async def _checkpoint(
        self, container_id: str, placement: Placement, credentials: tuple[str, str]
    ) -> None:
        engine = placement.engine
        host, port = self.client_address(placement.port)
        if placement.database_id not in self._checkpoint_by_exec:
            if await engine.checkpoint_over_network(host, port, *credentials):
                return
            self._checkpoint_by_exec.add(placement.database_id)  # not this one: exec from now
        listen = self.listen(engine, placement.port)
        result = await asyncio.to_thread(
            self.runtime.exec, container_id, engine.checkpoint_command(listen), engine.run_as
        )
        if result.exit_code != 0:
            log.warning("checkpoint before snapshot failed: %s", result.output[-500:])

    async def snapshot(self, volume: str, snapshot: str) -> None:
        await asyncio.to_thread(self.pool.create_snapshot, volume, snapshot)

    async def destroy_snapshot(self, volume: str, snapshot: str) -> None:
        await asyncio.to_thread(self.pool.destroy_snapshot, volume, snapshot)

    async def clone_volume(self, source: str, target: str) -> None:
        await asyncio.to_thread(self.pool.clone_volume, source, target)

    async def clone_snapshot(self, volume: str, snapshot: str, target: str) -> None:
        await asyncio.to_thread(self.pool.clone_snapshot, volume, snapshot, target)

    async def destroy_volume(self, volume: str) -> None:
        await asyncio.to_thread(self.pool.destroy_volume, volume)

    @property
    def pool_kind(self) -> str:
        return self.pool.kind

    async def containers(self) -> list[ContainerInfo]:
        """This install's containers."""
        return await asyncio.to_thread(self.runtime.list_managed)

    async def container_of(self, database_id: str) -> ContainerInfo | None:
        """The database's container as it is now; None when it has none."""
        return await self.container_now(self.container_name(database_id))

    async def remove_by_id(self, container_id: str) -> None:
        await asyncio.to_thread(self.runtime.remove, container_id)

    def watch_containers(self, on_event: Callable[[ContainerEvent], None], stop: Event) -> None:
        """Blocking: report changes to this install's containers until `stop` is set, each
        event naming its database (a taken warm engine's from its container's name); start-up
        waits learn of their engines' exits from the same stream."""

        def seen(event: ContainerEvent) -> None:
            named = replace(event, database_id=self.database_named(event))
            self.exits.report(named.database_id, named.action)
            on_event(named)

        with self.exits.following():
            self.runtime.watch(seen, stop)

    async def volumes(self) -> list[str]:
        return await asyncio.to_thread(self.pool.list_volumes)

    async def snapshots(self) -> list[tuple[str, str]]:
        return await asyncio.to_thread(self.pool.list_snapshots)

    async def volume_exists(self, volume: str) -> bool:
        return await asyncio.to_thread(self.pool.volume_exists, volume)

    async def volume_usage(self, volume: str) -> SpaceUsage:
        return await asyncio.to_thread(self.pool.volume_usage, volume)

    async def snapshot_usage(self, volume: str, snapshot: str) -> SpaceUsage:
        return await asyncio.to_thread(self.pool.snapshot_usage, volume, snapshot)

    async def pool_space(self) -> tuple[int, int]:
        """Used and free bytes of the filesystem that holds the pool."""

        def read() -> tuple[int, int]:
            stats = os.statvfs(self.pool.root)
            return (stats.f_blocks - stats.f_bfree) * stats.f_frsize, self.pool.free_bytes()

        return await asyncio.to_thread(read)

    async def container_stats(self, container_id: str) -> ContainerStats:
        return await asyncio.to_thread(self.runtime.stats, container_id)

    async def container_logs(
        self, container_id: str, tail: int, since: datetime | None
    ) -> list[LogLine]:
        return await asyncio.to_thread(self.runtime.logs, container_id, tail, since)

    def tool_spec(
        self,
        purpose: str,
        image: str,
        argv: list[str],
        env: dict[str, str],
        user: str,
        owner: str,
        mounts: list[Mount] | None = None,
        database_id: str | None = None,
    ) -> ContainerSpec:
        """A container running one of an engine's tools (an import's dump and restore, a
        source probe): on the host's network, so it reaches what this server reaches."""
        return ContainerSpec(
            name=f"stagdb-{self.install_id}-{purpose}-{secrets.token_hex(3)}",
            image=image,
            command=argv,
            user=user,
            labels={
                MANAGED_LABEL: "true",
                HOST_LABEL: self.host,
                TOOL_LABEL: purpose,
                TOOL_OWNER_LABEL: owner,
                **({TOOL_FOR_LABEL: database_id} if database_id else {}),
            },
            mounts=mounts or [],
            network_mode="host",
            pids_limit=self.pids_limit,
            environment=env,
        )

    async def run_tool(self, spec: ContainerSpec, timeout_s: float) -> ExecResult:
        """Run a tool to its end (or `timeout_s`) and remove its container."""
        return await asyncio.to_thread(self.runtime.run_once, spec, timeout_s)

    async def start_tool(self, spec: ContainerSpec) -> str:
        return await asyncio.to_thread(self.runtime.run, spec)

    async def tool_state(self, container_id: str) -> ContainerInfo:
        return await asyncio.to_thread(self.runtime.inspect, container_id)

    async def container_now(self, container_id: str) -> ContainerInfo | None:
        """The container as it is now (a listing may be older); None when it is gone."""
        try:
            return await asyncio.to_thread(self.runtime.inspect, container_id)
        except ContainerNotFound:
            return None

    async def tool_output(self, container_id: str) -> str:
        lines = await asyncio.to_thread(self.runtime.logs, container_id, TOOL_OUTPUT_LINES, None)
        return "\n".join(line.message for line in lines)

    async def scratch(self, engine: Engine, volume: str) -> Path:
        """An empty volume a tool of `engine` may write to (an import's dump)."""
        await asyncio.to_thread(self.pool.destroy_volume, volume)
        path = await asyncio.to_thread(self.pool.create_volume, volume)
        await asyncio.to_thread(self.own_volume, engine, volume)
        return path

    async def run_in(self, container_id: str, engine: Engine, argv: list[str]) -> ExecResult:
        return await asyncio.to_thread(self.runtime.exec, container_id, argv, engine.run_as)

    async def port_claims_of_this_install(self) -> list[PortClaim]:
        return await asyncio.to_thread(self.port_claims.mine)

    async def limit_disk(self, volume: str) -> None:
        """Apply the per-database disk quota, where one is set and the backend has quotas."""
        if self.disk_quota_bytes is not None and self.pool.supports_quotas:
            await asyncio.to_thread(self.pool.limit_volume, volume, self.disk_quota_bytes)

    async def require_free_space(self) -> None:
        """Refuse new work up front when the pool has less free space than the reserve."""
        free = await asyncio.to_thread(self.pool.free_bytes)
        if free < self.pool_min_free_bytes:
            raise PoolFull(f"{free} bytes free in the pool, below the reserve")

    def port_is_free(self, port: int) -> bool:
        """Nothing listens on `port` (nor on its engine port) on this host and no other
        install has claimed it."""
        return (
            _bindable(self.bind_address, port)
            and _bindable(ENGINE_HOST, self.engine_port(port))
            and not self.port_claims.held_by_others(port)
        )

    async def claim_port(self, port: int, database_id: str) -> bool:
        return await asyncio.to_thread(self.port_claims.claim, port, database_id)

    async def release_port_of(self, port: int, database_id: str) -> None:
        await self.unexpose(port, database_id)
        await asyncio.to_thread(self.port_claims.release, port, database_id)

    async def release_port(self, row: Database) -> None:
        if row.port is not None:
            await self.release_port_of(row.port, row.id)


class FrontFailure(RuntimeFailure):
    """The connection front cannot serve a port."""


class PoolFull(StorageFailure):
    """The pool has no room for the work asked of it."""


def pool_is_full(failure: Exception) -> bool:
    """Whether a storage or runtime failure came from a full pool (ENOSPC, ZFS quota)."""
    if isinstance(failure, PoolFull):
        return True
    text = str(failure).lower()
    return (
        "no space left on device" in text or "out of space" in text or "disk quota exceeded" in text
    )


def is_scratch(container: ContainerInfo) -> bool:
    return SCRATCH_UNTIL_LABEL in container.labels


def scratch_expired(container: ContainerInfo, now: float) -> bool:
    """Whether `container` is a scratch container past its lifetime (made and started in
    two steps, it is not running for a moment: that alone does not make it an orphan)."""
    until = container.labels.get(SCRATCH_UNTIL_LABEL, "")
    return until.isdigit() and int(until) < now


def _bindable(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address if address not in ("", "*") else "0.0.0.0", port))
        except OSError:
            return False
    return True


DRIVER_FAILURES = (RuntimeFailure, StorageFailure)


async def _pause(pause_s: float, changed: asyncio.Event | None) -> None:
    """Sleep `pause_s`, or less if `changed` is set meanwhile (it is then cleared)."""
    if changed is None:
        await asyncio.sleep(pause_s)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(changed.wait(), pause_s)
    changed.clear()
