"""The container runtime interface the domain talks to, and its error tree.

Every runtime is built for one install and sees only what carries that install's label.

RuntimeFailure
├── RuntimeUnavailable   the engine cannot be reached
├── ContainerNotFound
└── ImageMissing
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from threading import Event
from typing import Protocol

MANAGED_LABEL = "io.stagdb.managed"
INSTALL_LABEL = "io.stagdb.install"  # the install that made it: the only one that touches it
DATA_DIR_LABEL = "io.stagdb.data-dir"  # where that install keeps its data, for operators
DATABASE_LABEL = "io.stagdb.database"
# A tool run for a database (its import): for that database, but not its server.
TOOL_FOR_LABEL = "io.stagdb.tool-for"
# The process that started a tool's run: it removes the container; sweeps only once it ended.
TOOL_OWNER_LABEL = "io.stagdb.tool-owner"
HOST_LABEL = "io.stagdb.host"
# A warm engine: started ahead, waiting for a volume and the engine's command. Once a database
# takes it, its name (not a label: labels are fixed at create) says which database.
STANDBY_LABEL = "io.stagdb.standby"


class RuntimeFailure(Exception):
    """A runtime call failed; the message is for logs, never for API clients."""


class RuntimeUnavailable(RuntimeFailure):
    pass


class ContainerNotFound(RuntimeFailure):
    pass


class ImageMissing(RuntimeFailure):
    pass


@dataclass(frozen=True)
class Mount:
    source: str
    target: str
    read_only: bool = False
    # "rslave": mounts made later below `source` on the host appear inside the container.
    propagation: str | None = None


@dataclass(frozen=True)
class ContainerSpec:
    name: str
    image: str
    command: list[str]
    user: str
    labels: dict[str, str]
    mounts: list[Mount]
    network_mode: str
    published_port: tuple[str, int, int] | None = None
    memory_bytes: int | None = None
    cpus: float | None = None
    pids_limit: int | None = None
    stop_signal: str = "SIGTERM"
    environment: dict[str, str] = field(default_factory=dict)
    # Every capability is dropped but these; nothing inside gains privileges.
    capabilities: tuple[str, ...] = ()
    read_only_root: bool = False
    tmpfs: tuple[str, ...] = ()  # fresh writable directories, private to the container
    entrypoint: list[str] | None = None  # None: the image's own


@dataclass(frozen=True)
class ExecResult:
    exit_code: int
    output: str


@dataclass(frozen=True)
class ContainerStats:
    cpu_percent: float | None
    memory_used_bytes: int | None
    memory_limit_bytes: int | None
    network_rx_bytes: int | None
    network_tx_bytes: int | None
    block_read_bytes: int | None
    block_write_bytes: int | None


@dataclass(frozen=True)
class LogLine:
    timestamp: datetime
    message: str


@dataclass(frozen=True)
class ContainerInfo:
    id: str
    name: str
    status: str
    labels: dict[str, str]
    oom_killed: bool = False
    exit_code: int | None = None

    @property
    def running(self) -> bool:
        return self.status == "running"


@dataclass(frozen=True)
class ContainerEvent:
    """Something happened to one of this install's containers (it died, was removed...)."""

    action: str
    database_id: str | None
    name: str = ""


class ContainerRuntime(Protocol):
    def ping(self) -> None: ...

    def image_exists(self, tag: str) -> bool: ...

    def run(self, spec: ContainerSpec) -> str: ...

    def run_once(self, spec: ContainerSpec, timeout_s: float) -> ExecResult: ...

    def start(self, container_id: str) -> None: ...

    def stop(self, container_id: str, timeout_s: int) -> None: ...

    def remove(self, container_id: str) -> None: ...

    def rename(self, container_id: str, name: str) -> None: ...

    def pause(self, container_id: str) -> None: ...

    def unpause(self, container_id: str) -> None: ...

    def exec(self, container_id: str, argv: list[str], user: str) -> ExecResult: ...

    def update_resources(
        self, container_id: str, memory_bytes: int | None, cpus: float | None
    ) -> None: ...

    def inspect(self, container_id: str) -> ContainerInfo: ...

    def list_managed(self) -> list[ContainerInfo]:
        """This install's containers, running or not; never another install's."""
        ...

    def watch(self, on_event: Callable[[ContainerEvent], None], stop: Event) -> None:
        """Call `on_event` for each change to this install's containers until `stop` is set
        (blocking; run it in a thread). Returns when the engine's stream ends."""
        ...

    def stats(self, container_id: str) -> ContainerStats: ...

    def logs(self, container_id: str, tail: int, since: datetime | None) -> list[LogLine]: ...
