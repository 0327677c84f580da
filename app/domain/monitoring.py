"""MonitoringService: a database's figures (container, storage, engine) and its logs."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from app.domain import lifecycle
from app.domain.databases import DatabaseService
from app.drivers.runtime.base import LogLine
from app.errors import ValidationError
from app.models import Database

log = logging.getLogger(__name__)

DEFAULT_TAIL = 100
MAX_TAIL = 10_000


@dataclass(frozen=True)
class Reading:
    """A group of figures and the moment they were read."""

    read_at: datetime
    figures: dict[str, object]


@dataclass(frozen=True)
class DatabaseStats:
    database_id: str
    status: str
    container: Reading | None
    storage: Reading
    engine: Reading | None
    front: Reading


@dataclass
class LiveReads:
    """Stats and logs are read live from Docker and the engine: one API request (a GraphQL
    query over many databases, say) may make at most `limit` of them."""

    limit: int = 10
    made: int = 0

    def take(self) -> None:
        if self.made >= self.limit:
            raise ValidationError(
                f"A request may read the stats or logs of at most {self.limit} databases; "
                "ask for fewer (or page through them) and read the rest in another request"
            )
        self.made += 1


class MonitoringService:
    def __init__(self, databases: DatabaseService) -> None:
        self.databases = databases
        self.provisioner = databases.provisioner

    async def stats(self, ref: str) -> DatabaseStats:
        row = await self.databases.find(ref)
        container_id = row.container_id if row.status == lifecycle.RUNNING else None
        storage, container, engine, front = await asyncio.gather(
            self._storage(row),
            self._container(row, container_id) if container_id else _nothing(),
            self._engine(row, container_id) if container_id else _nothing(),
            self._front(row),
        )
        return DatabaseStats(row.id, row.status, container, storage, engine, front)

    async def _front(self, row: Database) -> Reading:
        """Client connections open now, through the connection front or forwarded by the
        kernel, and how new connections are carried."""
        doors = self.provisioner.doors
        return Reading(
            datetime.now(UTC),
            {
                "client_connections": (await doors.clients()).get(row.id, 0),
                "path": doors.path_of(row.id),
                "last_active_at": row.last_active_at.isoformat().replace("+00:00", "Z")
                if row.last_active_at
                else None,
            },
        )

    async def logs(self, ref: str, tail: object = None, since: object = None) -> list[LogLine]:
        row = await self.databases.find(ref)
        lines = _tail(tail)
        start = _since(since)
        if row.container_id is None:
            return []
        return await self.databases.guard(
            self.provisioner.container_logs(row.container_id, lines, start)
        )

    async def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(lifecycle.STATUSES, 0)
        for status in await Database.all().values_list("status", flat=True):
            counts[str(status)] = counts.get(str(status), 0) + 1
        return counts

    def warm_engines(self) -> dict[str, int]:
        """Warm engines waiting for a database, by image (none when they are off)."""
        warm = self.provisioner.warm
        return warm.waiting() if warm is not None else {}

    async def pool_usage(self) -> tuple[int, int]:
        """Used and free bytes of the filesystem that holds the pool."""
        return await self.databases.guard(self.provisioner.pool_space())

    async def _storage(self, row: Database) -> Reading:
        usage, (_, free) = await self.databases.guard(
            asyncio.gather(self.provisioner.volume_usage(row.volume), self.provisioner.pool_space())
        )
        return Reading(
            datetime.now(UTC),
            {
                "backend": self.provisioner.pool_kind,
                "logical_bytes": usage.logical_bytes,
                "unique_bytes": usage.unique_bytes,
                "pool_free_bytes": free,
            },
        )

    async def _container(self, row: Database, container_id: str) -> Reading | None:
        try:
            figures = await self.provisioner.container_stats(container_id)
        except Exception as exc:
            log.warning("container stats of %s unavailable: %s", row.id, exc)
            return None
        return Reading(datetime.now(UTC), asdict(figures))

    async def _engine(self, row: Database, container_id: str) -> Reading | None:
        placement = self.databases.placement(row)
        engine = placement.engine
        command = engine.stats_command(self.provisioner.listen(engine, placement.port))
        try:
            result = await self.provisioner.run_in(container_id, engine, command)
            if result.exit_code != 0:
                raise RuntimeError(result.output[-300:])
            figures = engine.parse_stats(result.output)
        except Exception as exc:
            log.warning("engine stats of %s unavailable: %s", row.id, exc)
            return None
        return Reading(datetime.now(UTC), figures)


async def _nothing() -> None:
    return None


def _tail(raw: object) -> int:
    if raw is None or raw == "":
        return DEFAULT_TAIL
    try:
        value = int(str(raw))
    except ValueError:
        raise ValidationError(f"tail must be an integer between 1 and {MAX_TAIL}") from None
    if not 1 <= value <= MAX_TAIL:
        raise ValidationError(f"tail must be between 1 and {MAX_TAIL} (got {value})")
    return value


def _since(raw: object) -> datetime | None:
    if raw is None or raw == "":
        return None
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            "since must be an RFC 3339 timestamp such as 2026-11-26T19:00:00Z"
        ) from None
    if moment.tzinfo is None:
        raise ValidationError("since must carry a time zone (e.g. a trailing Z)")
    return moment
