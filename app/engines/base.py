"""What StagDB needs to know about a database engine: data, plus a few commands."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from app.engines.masking import MaskingDialect
from app.engines.refusals import Refusal
from app.engines.source_tools import SourceTool


@dataclass(frozen=True)
class Listen:
    """Where the engine listens inside its container."""

    address: str
    port: int


class Engine(ABC):
    name: str
    image_repository: str
    container_port: int
    data_dir: str
    run_as: str
    stop_signal: str
    default_username: str
    default_database: str
    refusal: Refusal = Refusal()  # its "not available" answer, sent by the connection front
    importer: SourceTool | None = None  # how it copies an existing server, when it can
    masking: MaskingDialect | None = None  # how it masks columns in place, when it can

    def image_tag(self, version: str) -> str:
        return f"{self.image_repository}:{version}"

    @abstractmethod
    def init_command(self) -> list[str]:
        """Initialise an empty data dir mounted at `data_dir` (run once per template)."""

    @abstractmethod
    def server_command(self, listen: Listen) -> list[str]: ...

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
        self, host: str, port: int, username: str, password: str, new_password: str | None
    ) -> bool | None:
        """Log in with `password` (setting `new_password` when given): True once done, False
        while the engine is not ready yet, None when this path cannot be used (no network
        client for the engine, or the password is not the one the data holds)."""
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
