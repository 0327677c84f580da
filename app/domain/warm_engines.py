"""Warm engines: containers of an engine's image made and started ahead of need, each waiting
for a volume and for the engine's command line.

A database that is made or branched takes one instead of having a container created and
started on its request's path. Ten branches at once otherwise spend about a second of CPU in
Docker's daemons and runc on a two-core host before any engine runs.

How a waiting container gets its data: it binds its slot's `data` directory, which lies in
a shared mount (`root`), with slave propagation. Binding the database's volume onto that
directory on the host makes it appear at the engine's data directory inside. The command line
arrives through a FIFO, one argument per line; the container's shell reads it and becomes the
engine (`exec`), so the engine is its first process as in any other container.

Once taken, a container is named like any database's container. Its labels, fixed at create,
still say standby: `database_of` reads its database from its name. Stopped, it stays (with its
logs) until the database starts again, which runs it in a new container.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from app.domain.ids import looks_like_id
from app.domain.operations import THIS_PROCESS
from app.drivers import mounts
from app.drivers.runtime.base import (
    DATABASE_LABEL,
    HOST_LABEL,
    MANAGED_LABEL,
    STANDBY_LABEL,
    TOOL_OWNER_LABEL,
    ContainerInfo,
    ContainerRuntime,
    ContainerSpec,
    Mount,
    RuntimeFailure,
)
from app.engines import Engine

log = logging.getLogger(__name__)

CONTROL_DIR = "/stagdb"  # where the container sees its slot's control directory
COMMAND_FIFO = "command"
# Reads the engine's command line from the FIFO, one argument per line, then becomes it.
WAITER = (
    f'while IFS= read -r arg; do set -- "$@" "$arg"; done < {CONTROL_DIR}/{COMMAND_FIFO}; exec "$@"'
)
REFILL_AFTER_S = 2.0  # a take whose engine has not said it started counts as started after this
RETRY_AFTER_FAILURE_S = 60.0
WAITER_OPEN_TRIES = 10  # a container just started may not have opened its FIFO yet
WAITER_OPEN_PAUSE_S = 0.01
STALE_SLOT_S = 60.0  # an unclaimed slot this old without its container is a leftover
STANDBY_PREFIX = "standby-"


def database_container_name(install_id: str, database_id: str) -> str:
    """The name of a database's container, however it was made; `database_named` reads it."""
    return f"stagdb-{install_id}-{database_id}"


@dataclass(frozen=True)
class Standby:
    container_id: str
    slot: str  # its directory under the root, "standby-<token>"


class WarmEngines:
    def __init__(
        self,
        runtime: ContainerRuntime,
        install_id: str,
        host: str,
        root: Path,
        per_image: int,
        pids_limit: int | None = None,
        refill_after_s: float = REFILL_AFTER_S,
    ) -> None:
        self.runtime = runtime
        self.install_id = install_id
        self.host = host
        self.root = root
        self.per_image = per_image
        self.pids_limit = pids_limit
        self.refill_after_s = refill_after_s
        self._ready: dict[tuple[str, str], list[Standby]] = {}
        self._engines: dict[tuple[str, str], Engine] = {}
        self._failed_at: dict[tuple[str, str], float] = {}
        self._starting: dict[str, float] = {}  # taken container → when, until its engine runs
        self._making: asyncio.Future[Standby] | None = None  # the one being made now
        self._wake = asyncio.Event()
        self._settled = asyncio.Event()
        self._root_ready = False

    @property
    def enabled(self) -> bool:
        return self.per_image > 0

    def container_name(self, database_id: str) -> str:
        return database_container_name(self.install_id, database_id)

    def database_of(self, container: ContainerInfo) -> str | None:
        """The database a container serves: its label, or for a taken warm engine its name."""
        labelled = container.labels.get(DATABASE_LABEL)
        if labelled or STANDBY_LABEL not in container.labels:
            return labelled
        return self.database_named(container.name)

    def database_named(self, name: str) -> str | None:
        rest = name.lstrip("/").removeprefix(f"stagdb-{self.install_id}-")
        return rest if looks_like_id("db", rest) else None

    def is_waiting(self, container: ContainerInfo) -> bool:
        """A warm engine no database has taken."""
        return STANDBY_LABEL in container.labels and self.database_of(container) is None

    def waiting(self) -> dict[str, int]:
        """Warm engines waiting, by image."""
        counts: dict[str, int] = {}
        for (_, image), standbys in self._ready.items():
            counts[image] = counts.get(image, 0) + len(standbys)
        return counts

    def want(self, engine: Engine, image: str) -> None:
        """Keep warm engines of this image from now on."""
        if not self.enabled:
            return
        key = (engine.name, image)
        if key not in self._engines:
            self._engines[key] = engine
            self._wake.set()

    async def take(
        self,
        engine: Engine,
        image: str,
        database_id: str,
        volume_path: Path,
        command: list[str],
        limits: tuple[int | None, float | None] = (None, None),
    ) -> str | None:
        """A running container serving `volume_path` with `command`, or None when no warm
        engine of the image is waiting (the caller makes a container as usual)."""
        self.want(engine, image)
        waiting = self._ready.get((engine.name, image))
        if not waiting or any("\n" in part for part in command):
            return None
        standby = waiting.pop(0)
        self._starting[standby.container_id] = time.monotonic()
        self._wake.set()
        try:
            await asyncio.to_thread(
                self._hand_over, standby, database_id, volume_path, command, limits
            )
        except (OSError, RuntimeFailure) as exc:
            log.warning("warm engine %s not usable, making a container: %s", standby.slot, exc)
            self._starting.pop(standby.container_id, None)
            with contextlib.suppress(RuntimeFailure):
                await asyncio.to_thread(self.runtime.remove, standby.container_id)
            await asyncio.to_thread(self._release_slot, standby.slot)
            await asyncio.to_thread(self._release_slot, database_id)
            return None
        return standby.container_id

    def _hand_over(
        self,
        standby: Standby,
        database_id: str,
        volume_path: Path,
        command: list[str],
        limits: tuple[int | None, float | None],
    ) -> None:
        """Make the waiting container the database's, give it its volume and limits, and
        send it the engine's command (one worker thread for all of it)."""
        os.rename(self.root / standby.slot, self.root / database_id)
        self.runtime.rename(standby.container_id, self.container_name(database_id))
        mounts.bind(volume_path, self.root / database_id / "data")
        if limits != (None, None):
            self.runtime.update_resources(standby.container_id, *limits)
        self._send_command(database_id, command)

    def _send_command(self, slot: str, command: list[str]) -> None:
        fifo = self.root / slot / "control" / COMMAND_FIFO
        for attempt in range(WAITER_OPEN_TRIES):
            try:
                descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as exc:
                if exc.errno != errno.ENXIO or attempt == WAITER_OPEN_TRIES - 1:
                    raise  # ENXIO: nothing reads it, the container is not waiting
                time.sleep(WAITER_OPEN_PAUSE_S)
        try:
            flags = fcntl.fcntl(descriptor, fcntl.F_GETFL)
            fcntl.fcntl(descriptor, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
            os.write(descriptor, "".join(f"{part}\n" for part in command).encode())
        finally:
            os.close(descriptor)

    def settled(self, container_id: str) -> None:
        """The engine of a taken container answers, or will not: refills may begin."""
        if self._starting.pop(container_id, None) is not None:
            self._settled.set()

    def refill_pause(self) -> float:
        """Seconds before refills may begin: none are made while a taken engine starts, so a
        fan-out's engines get the CPU first, yet a steady stream of creates, each waiting for
        its engine, finds warm engines made between them."""
        now = time.monotonic()
        for container_id, taken_at in list(self._starting.items()):
            if now - taken_at >= self.refill_after_s:
                del self._starting[container_id]
        return max(
            (taken_at + self.refill_after_s - now for taken_at in self._starting.values()),
            default=0.0,
        )

    async def release(self, database_id: str) -> None:
        """Unbind the volume a taken warm engine served; call once its container is gone."""
        await asyncio.to_thread(self._release_slot, database_id)

    def has_slot(self, database_id: str) -> bool:
        return (self.root / database_id).exists()

    def _release_slot(self, slot: str) -> None:
        """Unmount and remove a slot; never deletes through a mount (rmdir only)."""
        directory = self.root / slot
        if not directory.exists():
            return
        mounts.detach(directory / "data")
        with contextlib.suppress(FileNotFoundError):
            (directory / "control" / COMMAND_FIFO).unlink()
        for path in (directory / "control", directory / "data", directory):
            try:
                path.rmdir()
            except FileNotFoundError:
                continue
            except OSError as exc:  # not empty: something is in it that is not ours to delete
                log.warning("warm-engine slot %s kept: %s", slot, exc)
                return

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Keep warm engines of the images in use while the server runs; those not taken are
        removed when it stops."""
        if not self.enabled:
            yield
            return
        self._wake, self._settled = asyncio.Event(), asyncio.Event()
        filling = asyncio.create_task(self._keep_filled())
        try:
            yield
        finally:
            filling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await filling
            late = await self._finish_making()
            await asyncio.to_thread(self._remove_waiting, late)

    async def _finish_making(self) -> list[Standby]:
        """A warm engine still being made when the server stops, once made, so it is removed
        with the waiting ones rather than left behind."""
        making, self._making = self._making, None
        if making is None:
            return []
        try:
            return [await making]
        except (OSError, RuntimeFailure):
            return []

    async def _keep_filled(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while (pause := self.refill_pause()) > 0:
                self._settled.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._settled.wait(), pause)
            for key, engine in list(self._engines.items()):
                try:
                    await self._fill(key, engine)
                except Exception:  # never the end of filling: tried again at the next take
                    log.exception("keeping %s engines of %s warm failed", *key)

    async def _fill(self, key: tuple[str, str], engine: Engine) -> None:
        if time.monotonic() - self._failed_at.get(key, -RETRY_AFTER_FAILURE_S) < (
            RETRY_AFTER_FAILURE_S
        ):
            return
        waiting = self._ready.setdefault(key, [])
        while len(waiting) < self.per_image:
            if self.refill_pause() > 0:
                self._wake.set()  # a take came in: let its engine start first
                return
            try:
                self._making = asyncio.ensure_future(
                    asyncio.to_thread(self._start_one, engine, key[1])
                )
                waiting.append(await asyncio.shield(self._making))  # finished even if cancelled
                self._making = None
            except (OSError, RuntimeFailure) as exc:
                log.error("cannot keep warm %s engines of %s: %s", key[0], key[1], exc)
                self._failed_at[key] = time.monotonic()
                return

    def _start_one(self, engine: Engine, image: str) -> Standby:
        if not self._root_ready:
            self.root.mkdir(parents=True, exist_ok=True)
            mounts.make_shared_mount(self.root)
            self._root_ready = True
        slot = f"{STANDBY_PREFIX}{secrets.token_hex(6)}"
        directory = self.root / slot
        uid, gid = (int(part) for part in engine.run_as.split(":"))
        (directory / "data").mkdir(parents=True)
        (directory / "control").mkdir()
        os.mkfifo(directory / "control" / COMMAND_FIFO, 0o600)
        os.chown(directory / "control" / COMMAND_FIFO, uid, gid)
        try:
            container_id = self.runtime.run(self._spec(engine, image, slot))
        except BaseException:
            self._release_slot(slot)
            raise
        return Standby(container_id, slot)

    def _spec(self, engine: Engine, image: str, slot: str) -> ContainerSpec:
        directory = self.root / slot
        return ContainerSpec(
            name=f"stagdb-{self.install_id}-{slot}",
            image=image,
            entrypoint=["sh", "-c", WAITER],
            command=[],
            user=engine.run_as,
            # Owned by this process until a database takes it (then its name says which).
            labels={
                MANAGED_LABEL: "true",
                HOST_LABEL: self.host,
                STANDBY_LABEL: engine.name,
                TOOL_OWNER_LABEL: THIS_PROCESS,
            },
            mounts=[
                Mount(str(directory / "data"), engine.data_dir, propagation="rslave"),
                Mount(str(directory / "control"), CONTROL_DIR, read_only=True),
            ],
            network_mode="host",
            pids_limit=self.pids_limit,
            stop_signal=engine.stop_signal,
            capabilities=engine.capabilities,
            read_only_root=True,
            tmpfs=engine.run_dirs,
        )

    def _remove_waiting(self, late: list[Standby]) -> None:
        for waiting in [*self._ready.values(), late]:
            for standby in waiting:
                with contextlib.suppress(RuntimeFailure):
                    self.runtime.remove(standby.container_id)
                self._release_slot(standby.slot)
        self._ready.clear()
        if self._root_ready and mounts.mount_points_under(self.root) == {str(self.root)}:
            mounts.detach(self.root)  # no taken one is left running on it
            self._root_ready = False

    async def remove_leftovers(self, containers: list[ContainerInfo], busy: set[str]) -> None:
        """Release slots no container accounts for: a taken one whose container is gone, or a
        waiting one whose server died. `containers` must be listed before this is called."""
        if not self.root.is_dir():
            return
        names = {container.name.lstrip("/") for container in containers}
        served = {self.database_of(container) for container in containers}
        mine = {standby.slot for waiting in self._ready.values() for standby in waiting}
        now = time.time()
        for directory in await asyncio.to_thread(lambda: list(self.root.iterdir())):
            slot = directory.name
            if slot.startswith(STANDBY_PREFIX):
                gone = f"stagdb-{self.install_id}-{slot}" not in names and slot not in mine
                with contextlib.suppress(FileNotFoundError):
                    gone = gone and now - directory.stat().st_mtime > STALE_SLOT_S
            else:
                gone = slot not in served and slot not in busy
            if gone:
                log.warning("releasing leftover warm-engine slot %s", slot)
                await asyncio.to_thread(self._release_slot, slot)
