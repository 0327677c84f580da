"""Read models the domain hands to the API layers: plain data, no ORM objects.

Each has the shape the documented API gives the resource, so REST renders it as it is
(`dataclasses.asdict`) and GraphQL exposes the same fields by name: a new field is added
here, where the domain fills it, and in the two schemas (openapi.yaml, the GraphQL type)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Connection:
    uri: str
    host: str
    port: int
    username: str
    password: str
    database: str


@dataclass(frozen=True)
class ResourcesView:
    memory: str | None  # Docker-style, e.g. 512m
    cpus: float | None
    settings: dict[str, int | bool | str]  # engine settings this database overrides


@dataclass(frozen=True)
class SnapshotScheduleView:
    every: str  # a duration, e.g. 1h
    keep: int


@dataclass(frozen=True)
class RefreshScheduleView:
    every: str  # a duration, e.g. 1d


@dataclass(frozen=True)
class MaskingRuleView:
    table: str
    column: str
    with_: str  # `with` on the wire (a Python keyword)


@dataclass(frozen=True)
class DatabaseView:
    id: str
    project_id: str
    name: str
    type: str
    version: str
    status: str
    error: str | None
    host: str
    port: int | None
    connection: Connection | None
    superuser: bool
    description: str
    resources: ResourcesView
    parent_id: str | None
    snapshot_id: str | None
    expires_at: datetime | None
    protected: bool
    auto_stop_after: str | None
    snapshot_schedule: SnapshotScheduleView | None
    source: str | None  # where an imported database's data came from, without password
    refresh_schedule: RefreshScheduleView | None
    masking_rules: list[MaskingRuleView] | None  # for the copies it hands out
    masked: bool  # its own data has been masked
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class SnapshotView:
    id: str
    name: str
    database_id: str
    description: str
    status: str
    size_bytes: int | None
    unique_bytes: int | None
    scheduled: bool
    created_at: datetime


@dataclass(frozen=True)
class WebhookView:
    id: str
    project_id: str
    url: str
    events: list[str]
    active: bool
    secret_set: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DeliveryView:
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


@dataclass(frozen=True)
class ProgressView:
    phase: str  # e.g. dump, restore, mask
    bytes_done: int | None
    bytes_total: int | None
    objects_done: int | None
    objects_total: int | None


@dataclass(frozen=True)
class OperationView:
    id: str
    kind: str
    status: str  # running, succeeded, failed
    database_id: str | None
    progress: ProgressView | None
    error: str | None
    source: str | None  # an import's source, without its credentials
    mask: bool | None  # the caller's explicit choice about masking, when it made one
    created_at: datetime
    finished_at: datetime | None
