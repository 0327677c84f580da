"""In-process fakes of the container runtime, the storage pool and an engine, for testing the
domain's rules (lifecycle, locking, rollback, controller decisions) in milliseconds. A fake
container that runs listens on its database's port on 127.0.0.1, so "does it answer" is a
real TCP question. The real Docker and pool tests stay: these never stand in for them."""

from __future__ import annotations

import itertools
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from threading import Event

from app.drivers.runtime.base import (
    DATABASE_LABEL,
    INSTALL_LABEL,
    ContainerInfo,
    ContainerNotFound,
    ContainerSpec,
    ContainerStats,
    ExecResult,
    LogLine,
    RuntimeFailure,
)
from app.drivers.storage.base import SpaceUsage, StorageFailure, StoragePool
from app.engines.base import Engine, Listen
from app.engines.tuning import Value


@dataclass
class FakeContainer:
    info: ContainerInfo
    port: int | None
    listener: socket.socket | None = None


class FakeRuntime:
    def __init__(self, install_id: str = "sdbfake000000") -> None:
        self.install_id = install_id
        self.containers: dict[str, FakeContainer] = {}
        self.images: set[str] = {"fake:1"}
        self.failing_runs = 0  # how many of the next `run` calls fail, as an engine can
        self.failing_removals = 0  # how many of the next `remove` calls fail, as Docker's can
        self._ids = itertools.count(1)

    def ping(self) -> None:
        return None

    def image_exists(self, tag: str) -> bool:
        return tag in self.images

    def run(self, spec: ContainerSpec) -> str:
        if self.failing_runs:
            self.failing_runs -= 1
            raise RuntimeFailure(f"run {spec.name}: the engine refused")
        container_id = f"c{next(self._ids)}"
        labels = {**spec.labels, INSTALL_LABEL: self.install_id}
        port = int(spec.command[-1]) if spec.command and spec.command[-1].isdigit() else None
        info = ContainerInfo(container_id, spec.name, "created", labels)
        self.containers[container_id] = FakeContainer(info, port)
        self.start(container_id)
        return container_id

    def run_once(self, spec: ContainerSpec, timeout_s: float) -> ExecResult:
        return ExecResult(0, "")

    def start(self, container_id: str) -> None:
        container = self._get(container_id)
        if container.port is not None and container.listener is None:
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", container.port))
            listener.listen()
            container.listener = listener
        container.info = replace(container.info, status="running", oom_killed=False)

    def stop(self, container_id: str, timeout_s: int) -> None:
        self.die(container_id, exit_code=0)

    def die(self, container_id: str, exit_code: int = 137, oom: bool = False) -> None:
        """What happens behind StagDB's back: the engine process ends."""
        container = self._get(container_id)
        if container.listener is not None:
            container.listener.close()
            container.listener = None
        container.info = replace(
            container.info, status="exited", exit_code=exit_code, oom_killed=oom
        )

    def remove(self, container_id: str) -> None:
        if self.failing_removals:
            self.failing_removals -= 1
            raise RuntimeFailure(f"remove {container_id}: device or resource busy")
        if container_id in self.containers or self._find(container_id) is not None:
            found = self._get(container_id)
            self.die(found.info.id)
            del self.containers[found.info.id]

    def rename(self, container_id: str, name: str) -> None:
        container = self._get(container_id)
        container.info = replace(container.info, name=name)

    def pause(self, container_id: str) -> None:
        container = self._get(container_id)
        container.info = replace(container.info, status="paused")

    def unpause(self, container_id: str) -> None:
        container = self._get(container_id)
        container.info = replace(container.info, status="running")

    def exec(self, container_id: str, argv: list[str], user: str) -> ExecResult:
        return ExecResult(0 if self._get(container_id).info.running else 1, "")

    def update_resources(
        self, container_id: str, memory_bytes: int | None, cpus: float | None
    ) -> None:
        self._get(container_id)

    def inspect(self, container_id: str) -> ContainerInfo:
        return self._get(container_id).info

    def list_managed(self) -> list[ContainerInfo]:
        return [c.info for c in list(self.containers.values())]

    def watch(self, on_event: object, stop: Event) -> None:
        stop.wait()

    def stats(self, container_id: str) -> ContainerStats:
        return ContainerStats(None, None, None, None, None, None, None)

    def logs(self, container_id: str, tail: int, since: datetime | None) -> list[LogLine]:
        return []

    def of_database(self, database_id: str) -> FakeContainer | None:
        for container in list(self.containers.values()):
            if container.info.labels.get(DATABASE_LABEL) == database_id:
                return container
        return None

    def _find(self, ref: str) -> FakeContainer | None:
        # A copy: the service calls the runtime from several threads at once.
        for container in list(self.containers.values()):
            if ref in (container.info.id, container.info.name):
                return container
        return None

    def _get(self, ref: str) -> FakeContainer:
        found = self._find(ref)
        if found is None:
            raise ContainerNotFound(ref)
        return found


@dataclass
class FakePool(StoragePool):
    """Volumes and snapshots as sets; paths under a root that is never written."""

    root: Path = field(default_factory=lambda: Path("/nonexistent/fake-pool"))
    volumes: set[str] = field(default_factory=set)
    snapshots: set[tuple[str, str]] = field(default_factory=set)
    free: int = 10 * 1024**3

    kind = "fake"
    copy_on_write = True
    atomic_snapshots = True

    def prepare(self) -> None:
        return None

    def volume_path(self, volume: str) -> Path:
        return self.root / volume

    def volume_exists(self, volume: str) -> bool:
        return volume in self.volumes

    def create_volume(self, volume: str) -> Path:
        self.volumes.add(volume)
        return self.volume_path(volume)

    def clone_volume(self, source: str, target: str) -> Path:
        if source not in self.volumes:
            raise StorageFailure(f"no volume {source}")
        return self.create_volume(target)

    def destroy_volume(self, volume: str) -> None:
        self.volumes.discard(volume)
        self.snapshots = {s for s in self.snapshots if s[0] != volume}

    def create_snapshot(self, volume: str, snapshot: str) -> None:
        self.snapshots.add((volume, snapshot))

    def clone_snapshot(self, volume: str, snapshot: str, target: str) -> Path:
        if (volume, snapshot) not in self.snapshots:
            raise StorageFailure(f"no snapshot {snapshot}")
        return self.create_volume(target)

    def destroy_snapshot(self, volume: str, snapshot: str) -> None:
        self.snapshots.discard((volume, snapshot))

    def volume_usage(self, volume: str) -> SpaceUsage:
        return SpaceUsage(0, 0)

    def snapshot_usage(self, volume: str, snapshot: str) -> SpaceUsage:
        return SpaceUsage(0, 0)

    def free_bytes(self) -> int:
        return self.free

    def list_volumes(self) -> list[str]:
        return sorted(self.volumes)

    def list_snapshots(self) -> list[tuple[str, str]]:
        return sorted(self.snapshots)


class FakeEngine(Engine):
    """An engine that is ready as soon as its container runs; it listens on its port."""

    name = "fake"
    image_repository = "fake"
    container_port = 1
    data_dir = "/data"
    run_as = "999:999"
    stop_signal = "SIGTERM"
    default_username = "user"
    default_database = "db"
    superuser_username = "admin"
    superuser_database = "db"

    def __init__(self, runtime: FakeRuntime) -> None:
        self.runtime = runtime

    def init_command(self, version: str, admin_password: str | None = None) -> list[str]:
        return ["init"]

    def server_command(
        self, listen: Listen, settings: Mapping[str, Value], version: str
    ) -> list[str]:
        return ["serve", str(listen.port)]

    def ready_command(self, listen: Listen) -> list[str]:
        return ["ready"]

    def set_credentials_command(self, listen: Listen, username: str, password: str) -> list[str]:
        return ["credentials"]

    def checkpoint_command(self, listen: Listen) -> list[str]:
        return ["checkpoint"]

    async def ready_over_network(
        self,
        host: str,
        port: int,
        username: str,
        password: str,
        new_password: str | None,
        login_as: str | None = None,
    ) -> bool | None:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            return probe.connect_ex((host, port)) == 0

    def stats_command(self, listen: Listen) -> list[str]:
        return ["stats"]

    def parse_stats(self, output: str) -> dict[str, object]:
        return {}

    def connection_uri(
        self, host: str, port: int, username: str, password: str, database: str
    ) -> str:
        return f"fake://{username}:{password}@{host}:{port}/{database}"
