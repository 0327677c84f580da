"""GraphQL object types, built from the domain's read models."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import fields
from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from app.domain.health import HealthReport
from app.domain.monitoring import LiveReads
from app.domain.monitoring import Reading as DomainReading
from app.domain.pagination import Page
from app.domain.tenancy import Scope
from app.domain.views import DatabaseView, OperationView, SnapshotView
from schema.context import Info
from schema.errors import domain
from schema.ratelimit import charge_live_read


@strawberry.type
class Connection:
    uri: str
    host: str
    port: int
    username: str
    password: str
    database: str


@strawberry.type
class Resources:
    memory: str | None = strawberry.field(description="Memory limit, Docker-style (512m, 2g)")
    cpus: float | None
    settings: JSON = strawberry.field(
        description="Engine settings this database overrides (name to value); the rest are "
        "the server's idle defaults"
    )


@strawberry.type(description="Snapshots taken on a rhythm; beyond keep the oldest go")
class SnapshotSchedule:
    every: str = strawberry.field(description="A duration: 90s, 15m, 2h, 7d")
    keep: int


@strawberry.type(description="How one column is masked in the copies a database hands out")
class MaskingRule:
    table: str
    column: str
    with_: str = strawberry.field(
        name="with", description="email, name, phone, hash, null, redact or fixed:<value>"
    )


@strawberry.type(description="Refreshes from the database's source on a rhythm")
class RefreshSchedule:
    every: str = strawberry.field(description="A duration: 12h, 1d")


@strawberry.type
class PageInfo:
    page: int
    limit: int
    total: int
    total_pages: int

    @classmethod
    def of(cls, page: Page[Any]) -> PageInfo:
        return cls(
            page=page.request.page,
            limit=page.request.limit,
            total=page.total,
            total_pages=page.total_pages,
        )


@strawberry.type
class Database:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(description="The project it belongs to")
    name: str
    type: str
    version: str
    status: str
    error: str | None
    host: str
    port: int | None
    superuser: bool = strawberry.field(
        description="The connection user is the engine's superuser (asked for on create, "
        "inherited by branches); false: it owns its database but is no superuser"
    )
    connection_details: strawberry.Private[Any]
    description: str
    resources: Resources
    parent_id: strawberry.ID | None
    snapshot_id: strawberry.ID | None
    expires_at: datetime | None = strawberry.field(
        description="When it is deleted with its branches; null: never"
    )
    protected: bool = strawberry.field(
        description="Never deleted, cascaded, expired or reset while true"
    )
    auto_stop_after: str | None = strawberry.field(
        description="Stopped after this long without client connections, started again by "
        "the next one; null: never"
    )
    snapshot_schedule: SnapshotSchedule | None
    source: str | None = strawberry.field(
        description="Where an imported database's data came from, without its password"
    )
    refresh_schedule: RefreshSchedule | None
    masking_rules: list[MaskingRule] | None = strawberry.field(
        description="Applied to its branches and imports before they run; null: none"
    )
    masked: bool = strawberry.field(description="Its own data has been masked")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: DatabaseView) -> Database:
        """The read model's fields as they are (nested views resolve by attribute)."""
        values = {field.name: getattr(view, field.name) for field in fields(view)}
        connection = values.pop("connection")
        return cls(**values, connection_details=connection)

    @strawberry.field(
        description="How to connect, password included; null while it has no port, and "
        "always for read-scoped keys"
    )
    def connection(self, info: Info) -> Connection | None:
        principal = info.context.principal
        if principal is None or not principal.scope.allows(Scope.WRITE):
            return None
        return cast(Connection | None, self.connection_details)

    @strawberry.field(description="The database this one was branched from")
    async def parent(self, info: Info) -> Database | None:
        if self.parent_id is None:
            return None
        view = await info.context.loaders.database.load(self.parent_id)
        return Database.of(view) if view else None

    @strawberry.field(description="Databases branched from this one")
    async def branches(self, info: Info) -> list[Database]:
        views = await info.context.loaders.branches_of_database.load(self.id)
        return [Database.of(v) for v in views]

    @strawberry.field(description="Container, storage and engine figures, read now")
    async def stats(self, info: Info) -> DatabaseStats:
        await domain(_take(info.context.live_reads))
        await charge_live_read(info)
        stats = await domain(lambda: info.context.services.monitoring.stats(self.id))
        return DatabaseStats(
            status=stats.status,
            container=Reading.of(stats.container),
            storage=Reading(
                read_at=stats.storage.read_at, figures=cast(JSON, stats.storage.figures)
            ),
            engine=Reading.of(stats.engine),
            front=Reading(read_at=stats.front.read_at, figures=cast(JSON, stats.front.figures)),
        )

    @strawberry.field(description="The engine's last log lines (tail 1-10000, default 100)")
    async def logs(
        self, info: Info, tail: int | None = None, since: datetime | None = None
    ) -> list[LogLine]:
        monitoring = info.context.services.monitoring
        await domain(_take(info.context.live_reads))
        await charge_live_read(info)
        lines = await domain(
            lambda: monitoring.logs(self.id, tail, since.isoformat() if since else None)
        )
        return [LogLine(timestamp=line.timestamp, message=line.message) for line in lines]

    @strawberry.field
    async def snapshots(self, info: Info) -> list[Snapshot]:
        views = await info.context.loaders.snapshots_of_database.load(self.id)
        return [Snapshot.of(v) for v in views]


@strawberry.type
class Reading:
    read_at: datetime
    figures: JSON

    @classmethod
    def of(cls, reading: DomainReading | None) -> Reading | None:
        if reading is None:
            return None
        return cls(read_at=reading.read_at, figures=cast(JSON, reading.figures))


@strawberry.type(description="Figures of one database, each group with the time it was read")
class DatabaseStats:
    status: str
    container: Reading | None = strawberry.field(description="From Docker; null when stopped")
    storage: Reading = strawberry.field(description="From the storage pool")
    engine: Reading | None = strawberry.field(description="From the engine; null when stopped")
    front: Reading = strawberry.field(
        description=(
            "From the connection front: client_connections open now (front and kernel), "
            "path (kernel or front), last_active_at"
        )
    )


@strawberry.type
class LogLine:
    timestamp: datetime
    message: str


@strawberry.type
class Snapshot:
    id: strawberry.ID
    name: str
    database_id: strawberry.ID
    description: str
    status: str
    size_bytes: float | None = strawberry.field(
        description="Logical size of the data; null until measured (a snapshot taken for a "
        "branch is measured a moment after it is taken)"
    )
    unique_bytes: float | None = strawberry.field(description="Bytes only this snapshot holds")
    scheduled: bool = strawberry.field(description="Taken by the database's snapshot schedule")
    created_at: datetime

    @classmethod
    def of(cls, view: SnapshotView) -> Snapshot:
        return cls(
            id=strawberry.ID(view.id),
            name=view.name,
            database_id=strawberry.ID(view.database_id),
            description=view.description,
            status=view.status,
            size_bytes=view.size_bytes,
            unique_bytes=view.unique_bytes,
            scheduled=view.scheduled,
            created_at=view.created_at,
        )

    @strawberry.field
    async def database(self, info: Info) -> Database | None:
        view = await info.context.loaders.database.load(self.database_id)
        return Database.of(view) if view else None

    @strawberry.field(description="Databases branched from this snapshot")
    async def branches(self, info: Info) -> list[Database]:
        views = await info.context.loaders.branches_of_snapshot.load(self.id)
        return [Database.of(v) for v in views]


@strawberry.type(description="How far long work has come; null where the tool cannot tell")
class OperationProgress:
    phase: str = strawberry.field(description="e.g. dump, restore")
    bytes_done: int | None
    bytes_total: int | None
    objects_done: int | None
    objects_total: int | None


@strawberry.type(description="Long work followed to its end: an import, or an async call")
class Operation:
    id: strawberry.ID
    kind: str = strawberry.field(description="e.g. database.import, branch.create")
    status: str = strawberry.field(description="running, succeeded or failed")
    database_id: strawberry.ID | None
    progress: OperationProgress | None
    error: str | None
    source: str | None = strawberry.field(description="An import's source, without password")
    mask: bool | None = strawberry.field(description="The caller's explicit masking choice")
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, view: OperationView) -> Operation:
        return cls(**{field.name: getattr(view, field.name) for field in fields(view)})


@strawberry.type
class OperationPage:
    items: list[Operation]
    page_info: PageInfo


@strawberry.type
class DatabasePage:
    items: list[Database]
    page_info: PageInfo


@strawberry.type
class SnapshotPage:
    items: list[Snapshot]
    page_info: PageInfo


@strawberry.type
class Dependency:
    name: str
    status: str
    latency_ms: float
    details: JSON


@strawberry.type
class Health:
    status: str
    dependencies: list[Dependency]

    @classmethod
    def of(cls, report: HealthReport) -> Health:
        return cls(
            status="healthy" if report.healthy else "unhealthy",
            dependencies=[
                Dependency(
                    name=d.name,
                    status="up" if d.healthy else "down",
                    latency_ms=d.latency_ms,
                    details=cast(JSON, d.details),
                )
                for d in report.dependencies
            ],
        )


def _take(reads: LiveReads) -> Callable[[], Awaitable[None]]:
    """One of the request's live reads (stats or logs), refused past its budget."""

    async def take() -> None:
        reads.take()

    return take
