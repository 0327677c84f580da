"""Typed results: each is built from the API's JSON, gives its fields as attributes
(`db.connection.uri`, `snap.id`) and the JSON itself back with `to_dict()`."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")
JSONDict = dict[str, Any]


def parse_time(raw: Any) -> datetime | None:
    if raw is None:
        return None
    return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))


def _time(raw: Any) -> datetime:
    parsed = parse_time(raw)
    if parsed is None:
        raise ValueError("a timestamp is missing from the API's answer")
    return parsed


@dataclass(frozen=True)
class ApiObject:
    """Base of every result: `to_dict()` is the API's own JSON for it."""

    _raw: JSONDict = field(repr=False, compare=False)

    def to_dict(self) -> JSONDict:
        return copy.deepcopy(self._raw)


@dataclass(frozen=True)
class Connection(ApiObject):
    uri: str
    host: str
    port: int
    username: str
    password: str
    database: str

    @classmethod
    def from_dict(cls, raw: JSONDict) -> Connection:
        return cls(
            raw,
            uri=raw["uri"],
            host=raw["host"],
            port=raw["port"],
            username=raw["username"],
            password=raw["password"],
            database=raw["database"],
        )


@dataclass(frozen=True)
class Resources(ApiObject):
    memory: str | None
    cpus: float | None
    settings: dict[str, int | bool | str]  # engine settings the database overrides

    @classmethod
    def from_dict(cls, raw: JSONDict) -> Resources:
        return cls(
            raw,
            memory=raw.get("memory"),
            cpus=raw.get("cpus"),
            settings=dict(raw.get("settings") or {}),
        )


@dataclass(frozen=True)
class Database(ApiObject):
    """A database server (a branch is a database with a `parent_id`)."""

    id: str
    name: str
    type: str
    version: str
    status: str
    error: str | None
    host: str | None
    port: int | None
    connection: Connection | None
    description: str
    resources: Resources
    parent_id: str | None
    snapshot_id: str | None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None  # deleted with its branches then; None: never
    protected: bool = False  # never deleted, reset or expired while set
    auto_stop_after: str | None = None  # idle duration before it stops, e.g. "15m"
    snapshot_schedule: SnapshotSchedule | None = None
    superuser: bool = False  # the connection user is the engine's superuser
    source: str | None = None  # an imported database's source, without its password
    refresh_every: str | None = None  # its refresh_schedule's rhythm, e.g. "1d"
    masking_rules: list[dict[str, str]] | None = None  # {"table", "column", "with"}
    masked: bool = False  # its own data has been masked
    project_id: str | None = None  # the project it belongs to (servers with projects)

    @classmethod
    def from_dict(cls, raw: JSONDict) -> Database:
        connection = raw.get("connection")
        schedule = raw.get("snapshot_schedule")
        return cls(
            raw,
            id=raw["id"],
            name=raw["name"],
            type=raw["type"],
            version=raw["version"],
            status=raw["status"],
            error=raw.get("error"),
            host=raw.get("host"),
            port=raw.get("port"),
            connection=Connection.from_dict(connection) if connection else None,
            description=raw.get("description", ""),
            resources=Resources.from_dict(raw.get("resources") or {}),
            parent_id=raw.get("parent_id"),
            snapshot_id=raw.get("snapshot_id"),
            created_at=_time(raw["created_at"]),
            updated_at=_time(raw["updated_at"]),
            expires_at=parse_time(raw.get("expires_at")),
            protected=bool(raw.get("protected", False)),
            auto_stop_after=raw.get("auto_stop_after"),
            snapshot_schedule=SnapshotSchedule.from_dict(schedule) if schedule else None,
            superuser=bool(raw.get("superuser", False)),
            source=raw.get("source"),
            refresh_every=(raw.get("refresh_schedule") or {}).get("every"),
            masking_rules=raw.get("masking_rules"),
            masked=bool(raw.get("masked", False)),
            project_id=raw.get("project_id"),
        )


@dataclass(frozen=True)
class SnapshotSchedule(ApiObject):
    """Snapshots taken `every` duration, keeping the newest `keep` of them."""

    every: str
    keep: int

    @classmethod
    def from_dict(cls, raw: JSONDict) -> SnapshotSchedule:
        return cls(raw, every=raw["every"], keep=raw["keep"])


@dataclass(frozen=True)
class SnapshotSize(ApiObject):
    logical_bytes: int | None
    unique_bytes: int | None

    @classmethod
    def from_dict(cls, raw: JSONDict) -> SnapshotSize:
        return cls(
            raw, logical_bytes=raw.get("logical_bytes"), unique_bytes=raw.get("unique_bytes")
        )


@dataclass(frozen=True)
class Snapshot(ApiObject):
    id: str
    name: str
    database_id: str
    description: str
    status: str
    size: SnapshotSize
    created_at: datetime
    scheduled: bool = False  # taken by the database's snapshot schedule, not by a user

    @classmethod
    def from_dict(cls, raw: JSONDict) -> Snapshot:
        return cls(
            raw,
            id=raw["id"],
            name=raw["name"],
            database_id=raw["database_id"],
            description=raw.get("description", ""),
            status=raw["status"],
            size=SnapshotSize.from_dict(raw.get("size") or {}),
            created_at=_time(raw["created_at"]),
            scheduled=bool(raw.get("scheduled", False)),
        )


@dataclass(frozen=True)
class SchemaSide(ApiObject):
    """One side of a schema diff: a database or a snapshot."""

    type: str
    id: str
    name: str

    @classmethod
    def from_dict(cls, raw: JSONDict) -> SchemaSide:
        return cls(raw, type=raw["type"], id=raw["id"], name=raw["name"])


@dataclass(frozen=True)
class SchemaDiff(ApiObject):
    """How `database`'s schema differs from `against`'s. Each group (`tables`, `indexes`,
    `constraints`, `views`, `functions`) is the API's JSON: `added`, `removed`, `changed`."""

    database: SchemaSide
    against: SchemaSide
    identical: bool
    tables: JSONDict
    indexes: JSONDict
    constraints: JSONDict
    views: JSONDict
    functions: JSONDict
    unified_diff: str

    @classmethod
    def from_dict(cls, raw: JSONDict) -> SchemaDiff:
        return cls(
            raw,
            database=SchemaSide.from_dict(raw["database"]),
            against=SchemaSide.from_dict(raw["against"]),
            identical=bool(raw["identical"]),
            tables=raw["tables"],
            indexes=raw["indexes"],
            constraints=raw["constraints"],
            views=raw["views"],
            functions=raw["functions"],
            unified_diff=raw["unified_diff"],
        )


@dataclass(frozen=True)
class Webhook(ApiObject):
    """A webhook; `secret` is set only in the answer that created it."""

    id: str
    url: str
    events: list[str]
    active: bool
    secret_set: bool
    created_at: datetime
    updated_at: datetime
    secret: str | None = None
    project_id: str | None = None  # the project it belongs to (servers with projects)

    @classmethod
    def from_dict(cls, raw: JSONDict) -> Webhook:
        return cls(
            raw,
            id=raw["id"],
            url=raw["url"],
            events=list(raw["events"]),
            active=raw["active"],
            secret_set=raw["secret_set"],
            created_at=_time(raw["created_at"]),
            updated_at=_time(raw["updated_at"]),
            secret=raw.get("secret"),
            project_id=raw.get("project_id"),
        )


@dataclass(frozen=True)
class Delivery(ApiObject):
    id: str
    webhook_id: str
    event: str
    status: str
    attempts: int
    response_code: int | None
    last_error: str | None
    duration_ms: float | None
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None

    @classmethod
    def from_dict(cls, raw: JSONDict) -> Delivery:
        return cls(
            raw,
            id=raw["id"],
            webhook_id=raw["webhook_id"],
            event=raw["event"],
            status=raw["status"],
            attempts=raw["attempts"],
            response_code=raw.get("response_code"),
            last_error=raw.get("last_error"),
            duration_ms=raw.get("duration_ms"),
            created_at=_time(raw["created_at"]),
            delivered_at=parse_time(raw.get("delivered_at")),
            next_attempt_at=parse_time(raw.get("next_attempt_at")),
        )


@dataclass(frozen=True)
class DatabaseStats(ApiObject):
    """Figures from the container, the storage pool and the engine, each as the API gives
    them (a reading with the time it was taken; None where it cannot be read)."""

    database_id: str
    status: str
    container: JSONDict | None
    storage: JSONDict
    engine: JSONDict | None

    @classmethod
    def from_dict(cls, raw: JSONDict) -> DatabaseStats:
        return cls(
            raw,
            database_id=raw["database_id"],
            status=raw["status"],
            container=raw.get("container"),
            storage=raw.get("storage") or {},
            engine=raw.get("engine"),
        )


@dataclass(frozen=True)
class LogLine(ApiObject):
    timestamp: datetime
    message: str

    @classmethod
    def from_dict(cls, raw: JSONDict) -> LogLine:
        return cls(raw, timestamp=_time(raw["timestamp"]), message=raw["message"])


@dataclass(frozen=True)
class Health(ApiObject):
    status: str
    dependencies: dict[str, JSONDict]

    @property
    def healthy(self) -> bool:
        return self.status == "healthy"

    @classmethod
    def from_dict(cls, raw: JSONDict) -> Health:
        return cls(raw, status=raw["status"], dependencies=dict(raw.get("dependencies") or {}))


@dataclass(frozen=True)
class OperationProgress(ApiObject):
    phase: str
    bytes_done: int | None
    bytes_total: int | None
    objects_done: int | None
    objects_total: int | None

    @classmethod
    def from_dict(cls, raw: JSONDict) -> OperationProgress:
        return cls(
            raw,
            phase=raw.get("phase", ""),
            bytes_done=raw.get("bytes_done"),
            bytes_total=raw.get("bytes_total"),
            objects_done=raw.get("objects_done"),
            objects_total=raw.get("objects_total"),
        )


@dataclass(frozen=True)
class Operation(ApiObject):
    """Long work followed to its end: an import, or a call answered 202."""

    id: str
    kind: str
    status: str  # running, succeeded or failed
    database_id: str | None
    progress: OperationProgress | None
    error: str | None
    source: str | None  # an import's source, without its password
    mask: bool | None
    created_at: datetime
    finished_at: datetime | None

    @property
    def done(self) -> bool:
        return self.status != "running"

    @classmethod
    def from_dict(cls, raw: JSONDict) -> Operation:
        progress = raw.get("progress")
        return cls(
            raw,
            id=raw["id"],
            kind=raw["kind"],
            status=raw["status"],
            database_id=raw.get("database_id"),
            progress=OperationProgress.from_dict(progress) if progress else None,
            error=raw.get("error"),
            source=raw.get("source"),
            mask=raw.get("mask"),
            created_at=_time(raw["created_at"]),
            finished_at=parse_time(raw.get("finished_at")),
        )


@dataclass(frozen=True)
class Pagination(ApiObject):
    page: int
    limit: int
    total: int
    pages: int

    @classmethod
    def from_dict(cls, raw: JSONDict) -> Pagination:
        return cls(
            raw, page=raw["page"], limit=raw["limit"], total=raw["total"], pages=raw["pages"]
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items and the API's `pagination` object."""

    items: list[T]
    pagination: Pagination
