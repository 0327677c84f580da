"""Read models the domain hands to the API layers: plain data, no ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.upkeep import SnapshotSchedule


@dataclass(frozen=True)
class Connection:
    uri: str
    host: str
    port: int
    username: str
    password: str
    database: str


@dataclass(frozen=True)
class DatabaseView:
    id: str
    name: str
    type: str
    version: str
    status: str
    error: str | None
    host: str
    port: int | None
    connection: Connection | None
    description: str
    memory: str | None
    cpus: float | None
    parent_id: str | None
    snapshot_id: str | None
    expires_at: datetime | None
    protected: bool
    auto_stop_after: str | None
    snapshot_schedule: SnapshotSchedule | None
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
