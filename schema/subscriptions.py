"""Root subscriptions (graphql-transport-ws)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from app.domain.events import DatabaseEvent as DomainEvent
from app.domain.tenancy import acting_as
from app.errors import UnauthorizedError
from schema.context import Info
from schema.errors import as_graphql_error, domain


@strawberry.type
class DatabaseEvent:
    event: str = strawberry.field(description="e.g. database.started, snapshot.created")
    database_id: strawberry.ID = strawberry.field(description="The database the event is about")
    name: str
    type: str
    status: str | None
    parent_id: strawberry.ID | None
    snapshot_id: strawberry.ID | None
    reason: str | None = strawberry.field(
        description="Why it happened: failures and recoveries noticed by the controller, "
        "expiry, idling (idle) and waking (connection)"
    )
    scheduled: bool | None = strawberry.field(
        description="Snapshot events: whether a snapshot schedule took the snapshot"
    )
    operation_id: strawberry.ID | None = strawberry.field(
        description="Operation events (operation.succeeded, operation.failed): which one"
    )
    operation_kind: str | None
    timestamp: datetime

    @classmethod
    def of(cls, event: DomainEvent) -> DatabaseEvent:
        fields = vars(event)
        return cls(**{name: fields[name] for name in cls.__annotations__})


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Lifecycle changes of one database (id or name): status transitions, "
        "snapshots taken and branches made from it"
    )
    async def database_events(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[DatabaseEvent, None]:
        principal = info.context.principal
        if principal is None:
            raise as_graphql_error(UnauthorizedError("Send the API key in connection_init"))
        with acting_as(principal.access):
            database = await domain(lambda: info.context.services.databases.get(id))
        async for event in info.context.services.events.watch(database.id):
            yield DatabaseEvent.of(event)
