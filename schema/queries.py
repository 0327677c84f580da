"""Root queries."""

from __future__ import annotations

import strawberry

from app.domain.databases import DatabaseFilter
from app.domain.pagination import page_request
from app.errors import ValidationError
from schema.admin import AdminQueries
from schema.context import Info
from schema.errors import as_graphql_error, domain
from schema.schema_diff import SchemaDiff
from schema.types import (
    Database,
    DatabasePage,
    Health,
    Operation,
    OperationPage,
    PageInfo,
    Snapshot,
    SnapshotPage,
)


@strawberry.type
class Query(AdminQueries):
    @strawberry.field(description="Databases, oldest first; the same paging rules as REST")
    async def databases(
        self,
        info: Info,
        type: str | None = None,
        status: str | None = None,
        parent_id: strawberry.ID | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> DatabasePage:
        service = info.context.services.databases
        filters = DatabaseFilter(type, status, parent_id)
        result = await domain(lambda: service.list(filters, page_request(page, limit)))
        return DatabasePage(
            items=[Database.of(v) for v in result.items], page_info=PageInfo.of(result)
        )

    @strawberry.field(description="One database, by id or by name")
    async def database(
        self, info: Info, id: strawberry.ID | None = None, name: str | None = None
    ) -> Database:
        if (id is None) == (name is None):
            raise as_graphql_error(ValidationError("Pass exactly one of id or name"))
        ref = str(id if id is not None else name)
        return Database.of(await domain(lambda: info.context.services.databases.get(ref)))

    @strawberry.field(description="Snapshots of a database (id or name), oldest first")
    async def snapshots(
        self, info: Info, database_id: strawberry.ID, page: int = 1, limit: int = 20
    ) -> SnapshotPage:
        service = info.context.services.snapshots
        result = await domain(lambda: service.list(database_id, page_request(page, limit)))
        return SnapshotPage(
            items=[Snapshot.of(v) for v in result.items], page_info=PageInfo.of(result)
        )

    @strawberry.field
    async def snapshot(self, info: Info, id: strawberry.ID) -> Snapshot:
        return Snapshot.of(await domain(lambda: info.context.services.snapshots.get(id)))

    @strawberry.field(description="Databases branched from a database (id or name)")
    async def branches(
        self, info: Info, database_id: strawberry.ID, page: int = 1, limit: int = 20
    ) -> DatabasePage:
        service = info.context.services.branches
        result = await domain(lambda: service.list(database_id, page_request(page, limit)))
        return DatabasePage(
            items=[Database.of(v) for v in result.items], page_info=PageInfo.of(result)
        )

    @strawberry.field(
        description="How a database's schema differs from `against`: parent (the default), "
        "a snapshot id, or a database id or name"
    )
    async def schema_diff(
        self, info: Info, database_id: strawberry.ID, against: str | None = None
    ) -> SchemaDiff:
        service = info.context.services.schema_diffs
        return SchemaDiff.of(await domain(lambda: service.diff(database_id, against)))

    @strawberry.field(description="One operation, by id")
    async def operation(self, info: Info, id: strawberry.ID) -> Operation:
        return Operation.of(await domain(lambda: info.context.services.operations.get(id)))

    @strawberry.field(description="Operations on a database (id or name), newest first")
    async def operations(
        self, info: Info, database_id: strawberry.ID, page: int = 1, limit: int = 20
    ) -> OperationPage:
        service = info.context.services.operations
        result = await domain(lambda: service.list(database_id, page_request(page, limit)))
        return OperationPage(
            items=[Operation.of(v) for v in result.items], page_info=PageInfo.of(result)
        )

    @strawberry.field(description="The server's dependencies and their latency")
    async def health(self, info: Info) -> Health:
        return Health.of(await info.context.services.health.check())
