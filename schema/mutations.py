"""Root mutations: one per REST action, through the same domain services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from app.completion import to_completion
from app.domain.promotion import Promote
from app.domain.views import DatabaseView
from app.errors import ValidationError
from schema.admin import AdminMutations
from schema.context import Info
from schema.errors import domain
from schema.inputs import (
    CreateBranchInput,
    CreateDatabaseInput,
    CreateSnapshotInput,
    ImportSourceInput,
    UpdateDatabaseInput,
)
from schema.ratelimit import charge
from schema.types import Database, Operation, Snapshot


def _creation(info: Info, input: CreateDatabaseInput) -> Awaitable[DatabaseView]:
    services = info.context.services
    source = input.source_spec()
    if source is None:
        if input.refresh_spec() is not None:
            raise ValidationError("refresh_schedule needs a source to refresh from")
        return services.databases.create(input.request())
    return services.imports.create(input.request(), source, input.refresh_spec())


async def _handed_over(info: Info, work: Callable[[], Awaitable[object]]) -> Operation:
    """Start `work` and answer the operation it began (its errors before that are raised)."""
    services = info.context.services
    handed = await domain(lambda: services.handover.run(work, 0))
    return Operation.of(await domain(lambda: services.operations.get(handed.operation_id or "")))


@strawberry.type
class Mutation(AdminMutations):
    @strawberry.mutation(description="Answers once it runs; with a source, once it is filled")
    async def create_database(self, info: Info, input: CreateDatabaseInput) -> Database:
        await charge(info, "database.create")
        return Database.of(await domain(lambda: to_completion(_creation(info, input))))

    @strawberry.mutation(description="Like createDatabase, answering its operation at once")
    async def create_database_async(self, info: Info, input: CreateDatabaseInput) -> Operation:
        await charge(info, "database.create")
        return await _handed_over(info, lambda: _creation(info, input))

    @strawberry.mutation(description="Fills an imported database again from its source")
    async def refresh_database(
        self, info: Info, id: strawberry.ID, source: ImportSourceInput | None = None
    ) -> Database:
        await charge(info, "database.refresh")
        service = info.context.services.refresh
        spec = source.as_dict() if source else None
        return Database.of(await domain(lambda: to_completion(service.refresh(id, spec))))

    @strawberry.mutation(description="Like refreshDatabase, answering its operation at once")
    async def refresh_database_async(
        self, info: Info, id: strawberry.ID, source: ImportSourceInput | None = None
    ) -> Operation:
        await charge(info, "database.refresh")
        service = info.context.services.refresh
        spec = source.as_dict() if source else None
        return await _handed_over(info, lambda: service.refresh(id, spec))

    @strawberry.mutation(description="Like createBranch, answering its operation at once")
    async def create_branch_async(
        self, info: Info, database_id: strawberry.ID, input: CreateBranchInput
    ) -> Operation:
        await charge(info, "branch.create")
        service = info.context.services.branches
        return await _handed_over(info, lambda: service.from_database(database_id, input.request()))

    @strawberry.mutation(description="Like resetDatabase, answering its operation at once")
    async def reset_database_async(
        self, info: Info, id: strawberry.ID, snapshot_id: strawberry.ID | None = None
    ) -> Operation:
        await charge(info, "database.reset")
        service = info.context.services.branches
        return await _handed_over(info, lambda: service.reset(id, snapshot_id))

    @strawberry.mutation(description="Like deleteDatabase, answering its operation at once")
    async def delete_database_async(
        self, info: Info, id: strawberry.ID, cascade: bool = False
    ) -> Operation:
        await charge(info, "database.delete")
        service = info.context.services.databases
        return await _handed_over(info, lambda: service.delete(id, cascade))

    @strawberry.mutation
    async def update_database(
        self, info: Info, id: strawberry.ID, input: UpdateDatabaseInput
    ) -> Database:
        await charge(info, "database.update")
        imports = info.context.services.imports
        return Database.of(
            await domain(
                lambda: to_completion(imports.update(id, input.request(), input.refresh_fields()))
            )
        )

    @strawberry.mutation(description="Deletes a database; cascade also deletes its branches")
    async def delete_database(self, info: Info, id: strawberry.ID, cascade: bool = False) -> bool:
        await charge(info, "database.delete")
        service = info.context.services.databases
        await domain(lambda: to_completion(service.delete(id, cascade)))
        return True

    @strawberry.mutation
    async def start_database(self, info: Info, id: strawberry.ID) -> Database:
        await charge(info, "database.start")
        service = info.context.services.databases
        return Database.of(await domain(lambda: to_completion(service.start(id))))

    @strawberry.mutation
    async def stop_database(self, info: Info, id: strawberry.ID) -> Database:
        await charge(info, "database.stop")
        service = info.context.services.databases
        return Database.of(await domain(lambda: to_completion(service.stop(id))))

    @strawberry.mutation(description="Puts a database's data back to a snapshot")
    async def reset_database(
        self, info: Info, id: strawberry.ID, snapshot_id: strawberry.ID | None = None
    ) -> Database:
        await charge(info, "database.reset")
        service = info.context.services.branches
        return Database.of(await domain(lambda: to_completion(service.reset(id, snapshot_id))))

    @strawberry.mutation(
        description="The branch's data becomes its parent's (which keeps its name, URI, "
        "password and port, and its old data as snapshot pre-promote-<time>); answers the parent"
    )
    async def promote_branch(
        self, info: Info, id: strawberry.ID, keep_branch: bool = False
    ) -> Database:
        await charge(info, "branch.promote")
        service = info.context.services.promotions
        return Database.of(
            await domain(lambda: to_completion(service.promote(id, Promote(keep_branch))))
        )

    @strawberry.mutation
    async def create_snapshot(
        self, info: Info, database_id: strawberry.ID, input: CreateSnapshotInput
    ) -> Snapshot:
        await charge(info, "snapshot.create")
        service = info.context.services.snapshots
        return Snapshot.of(
            await domain(lambda: to_completion(service.create(database_id, input.request())))
        )

    @strawberry.mutation(description="Deletes a snapshot; cascade also deletes its branches")
    async def delete_snapshot(self, info: Info, id: strawberry.ID, cascade: bool = False) -> bool:
        await charge(info, "snapshot.delete")
        service = info.context.services.snapshots
        await domain(lambda: to_completion(service.delete(id, cascade)))
        return True

    @strawberry.mutation(description="A branch holding the database's data as of now")
    async def create_branch(
        self, info: Info, database_id: strawberry.ID, input: CreateBranchInput
    ) -> Database:
        await charge(info, "branch.create")
        service = info.context.services.branches
        return Database.of(
            await domain(lambda: to_completion(service.from_database(database_id, input.request())))
        )

    @strawberry.mutation(description="A branch holding a snapshot's data")
    async def create_branch_from_snapshot(
        self, info: Info, snapshot_id: strawberry.ID, input: CreateBranchInput
    ) -> Database:
        await charge(info, "branch.create")
        service = info.context.services.branches
        return Database.of(
            await domain(lambda: to_completion(service.from_snapshot(snapshot_id, input.request())))
        )
