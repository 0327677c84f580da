"""What StagDB needs to know about a database engine: data, plus a few commands."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from app.engines.masking import MaskingDialect
from app.engines.refusals import Refusal
from app.engines.schema_readers import SchemaReader
from app.engines.source_tools import SourceTool
from app.engines.tuning import Tunable, Value


@dataclass(frozen=True)
class Listen:
    """Where the engine listens inside its container."""

    address: str
    port: int


@dataclass(frozen=True)
class Account:
    """The account a database's connection string names, and whether it is a superuser."""

    username: str
    database: str
    superuser: bool


@dataclass(frozen=True)
class SchemaObjects:
    """Names of what a schema dump covers: tables, views, and routines as (kind, name)."""

    tables: tuple[str, ...] = ()
    views: tuple[str, ...] = ()
    routines: tuple[tuple[str, str], ...] = ()


class Engine(ABC):
    name: str
    image_repository: str
    container_port: int
    data_dir: str
    run_as: str
    stop_signal: str
    default_username: str  # the connection account: owns its database, no superuser
    default_database: str
    superuser_username: str  # the connection account of a `superuser: true` database
    superuser_database: str
    refusal: Refusal = Refusal()  # its "not available" answer, sent by the connection front
    # Linux capabilities the engine needs in its container: all others are dropped.
    capabilities: tuple[str, ...] = ()
    # The container's root filesystem is read-only; these directories are fresh tmpfs.
    run_dirs: tuple[str, ...] = ("/tmp",)
    # Bumped when what a template holds changes, so that a new one is made next to the old.
    template_layout: int = 1
    # Whether a template's admin account can take a password that a database's first start
    # logs in with over the network (then takes away), sparing a `docker exec`.
    admin_logs_in_over_network: bool = False
    # Settings every database starts with, chosen for many small, mostly idle instances
    # (README, "Engine settings"), and those a database may override, with their types.
    idle_settings: ClassVar[Mapping[str, Value]] = {}
    # More of them, by the first major version that knows them (older ones refuse to start
    # on a setting they do not know).
    idle_settings_since: ClassVar[Mapping[int, Mapping[str, Value]]] = {}
    # Defaults that count on syncfs(2) reaching stable storage, and the value each takes on
    # a pool where it does not (`StoragePool.syncs_as_a_whole`).
    without_whole_sync: ClassVar[Mapping[str, Value]] = {}
    tunables: ClassVar[Mapping[str, Tunable]] = {}
    importer: SourceTool | None = None  # how it copies an existing server, when it can
    masking: MaskingDialect | None = None  # how it masks columns in place, when it can
    schema_reader: SchemaReader | None = None  # how it reads its schema for a diff, if it can

    def image_tag(self, version: str) -> str:
        return f"{self.image_repository}:{version}"

    def account(self, superuser: bool) -> Account:
        """The connection account of a new database, the superuser only when asked for."""
        if superuser:
            return Account(self.superuser_username, self.superuser_database, True)
        return Account(self.default_username, self.default_database, False)

    def template_volume(self, version: str) -> str:
        return f"tpl-{self.name}-{version}-v{self.template_layout}".replace(".", "-")

    @abstractmethod
    def init_command(self, version: str, admin_password: str | None = None) -> list[str]:
        """Initialise an empty data dir mounted at `data_dir` (run once per template): the
        admin account StagDB uses over the local socket, and both connection accounts,
        locked or without a password until a database's first start sets one. With
        `admin_password` (given only where `admin_logs_in_over_network`), the admin account
        also accepts it over the network until that first start takes it away."""

    @abstractmethod
    def server_command(
        self, listen: Listen, settings: Mapping[str, Value], version: str
    ) -> list[str]:
        """Run the server of `version` with the idle defaults, `settings` (checked overrides)
        winning."""

    def settings_with(self, overrides: Mapping[str, Value], version: str) -> dict[str, Value]:
        major = major_version(version)
        known_since = {
            name: value
            for since, settings in sorted(self.idle_settings_since.items())
            if major is not None and major >= since
            for name, value in settings.items()
        }
        return {**self.idle_settings, **known_since, **overrides}

    def settings_without_whole_sync(
        self, overrides: Mapping[str, Value], version: str
    ) -> dict[str, Value]:
        """`overrides`, plus the safe value of each default of `version` that counts on
        syncfs(2) reaching stable storage (`without_whole_sync`)."""
        defaults = self.settings_with({}, version)
        safe = {name: value for name, value in self.without_whole_sync.items() if name in defaults}
        return {**safe, **overrides}

    @abstractmethod
    def ready_command(self, listen: Listen) -> list[str]:
        """Exits 0 once the engine accepts connections."""

    @abstractmethod
    def set_credentials_command(self, listen: Listen, username: str, password: str) -> list[str]:
        """Sets the database user's password; exits non-zero while the engine is not ready."""

    @abstractmethod
    def checkpoint_command(self, listen: Listen) -> list[str]:
        """Flushes the engine's dirty state to its data files so a copy starts quickly."""

    async def ready_over_network(
        self,
        host: str,
        port: int,
        username: str,
        password: str,
        new_password: str | None,
        login_as: str | None = None,
    ) -> bool | None:
        """Log in as `login_as` (by default `username`) with `password`, setting `username`'s
        `new_password` when given; an account logged in as other than `username` (the admin,
        on a first start from a template) loses its password. True once done, False while
        the engine is not ready yet, None when this path cannot be used (no network client
        for the engine, or the password is not the one the data holds)."""
        return None

    def ready_by_files(self, data: Path, since: float) -> bool | None:
        """Whether the engine's own state in its data directory `data` (on this host) says
        that a server started at or after `since` (epoch seconds) accepts connections; None
        when this engine keeps no such state or it cannot be read. Reading a file costs the
        engine nothing, where a connection attempt during start-up forks a backend."""
        return None

    async def checkpoint_over_network(
        self, host: str, port: int, username: str, password: str
    ) -> bool:
        """Checkpoint through a client connection, sparing a `docker exec` (tens of ms);
        False when the engine has no such path or it failed (the caller then execs)."""
        return False

    @abstractmethod
    def stats_command(self, listen: Listen) -> list[str]:
        """Prints the engine's own figures (connections, sizes, activity, uptime)."""

    @abstractmethod
    def parse_stats(self, output: str) -> dict[str, object]: ...

    @abstractmethod
    def connection_uri(
        self, host: str, port: int, username: str, password: str, database: str
    ) -> str: ...


def major_version(version: str) -> int | None:
    """15 for "15" or "15.4"; None for a tag that names no version ("latest")."""
    major = version.split(".")[0]
    return int(major) if major.isdigit() else None
