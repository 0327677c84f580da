"""SnapshotService: consistent point-in-time images of a database's data."""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from app.domain import lifecycle, operations
from app.domain.databases import DatabaseService, describe, refuse_if_protected
from app.domain.ids import new_id
from app.domain.naming import validate_name
from app.domain.pagination import Page, PageRequest
from app.domain.tenancy import visible
from app.domain.views import SnapshotView
from app.errors import NotFoundError, ResourceBusyError, StagError, ValidationError
from app.models import Database, Snapshot

log = logging.getLogger(__name__)

READY = "ready"


@dataclass(frozen=True)
class CreateSnapshot:
    name: object
    description: object = None


class SnapshotService:
    def __init__(self, databases: DatabaseService) -> None:
        self.databases = databases
        self.provisioner = databases.provisioner

    async def list(self, database_ref: str, page: PageRequest) -> Page[SnapshotView]:
        database = await self.databases.find(database_ref)
        query = Snapshot.filter(database_id=database.id)
        total = await query.count()
        rows = await query.order_by("created_at", "id").offset(page.offset).limit(page.limit)
        return Page(items=[view(row) for row in rows], request=page, total=total)

    async def get(self, snapshot_id: str) -> SnapshotView:
        return view(await self.find(snapshot_id))

    async def views_by_ids(self, ids: Sequence[str]) -> dict[str, SnapshotView]:
        """Batch read for dataloaders: one query for any number of ids."""
        rows = await visible(Snapshot.filter(id__in=list(ids)), "database__project_id")
        return {row.id: view(row) for row in rows}

    async def of_databases(
        self, database_ids: Sequence[str]
    ) -> dict[str, builtins.list[SnapshotView]]:
        groups: dict[str, builtins.list[SnapshotView]] = {}
        rows = await visible(
            Snapshot.filter(database_id__in=list(database_ids)), "database__project_id"
        ).order_by("created_at", "id")
        for row in rows:
            groups.setdefault(row.database_id, []).append(view(row))
        return groups

    async def find(self, snapshot_id: str) -> Snapshot:
        row = await visible(Snapshot.filter(id=snapshot_id), "database__project_id").first()
        if row is None:
            raise NotFoundError(f"Snapshot '{snapshot_id}' not found")
        return row

    async def create(self, database_ref: str, request: CreateSnapshot) -> SnapshotView:
        database = await self.databases.find(database_ref)
        name = validate_name(request.name, kind="snapshot", id_prefix="snap")
        description = describe(request.description)
        if await Snapshot.exists(database_id=database.id, name=name):
            raise ValidationError(
                f"Database '{database.name}' already has a snapshot named '{name}'"
            )
        await self.databases.guard(self.provisioner.require_free_space())
        await self.databases.quotas.admit_space(database.project_id)
        async with operations.locked_operation(
            "snapshot.create", database, wait_s=operations.SHORT_WAIT_S
        ):
            row = await self.take(database, name, description)
        return view(row)

    async def take(
        self,
        database: Database,
        name: str,
        description: str,
        created_for: str | None = None,
        scheduled: bool = False,
        imaging: Callable[[], None] = lambda: None,
        measure_later: bool = False,
    ) -> Snapshot:
        """Snapshot `database` (whose lock the caller holds) consistently, and record it.
        `imaging` is called just before the image is taken: the snapshot holds every
        transaction committed before that moment. With `measure_later` it is recorded
        with its size unknown, which the space meter measures in the background: the
        branches it is taken for do not wait for the walk over its files."""
        snapshot_id = new_id("snap")
        placement = self.databases.placement(database)
        running = database.container_id if database.status == lifecycle.RUNNING else None
        credentials = (database.username, database.password)
        async with self.provisioner.consistent(running, placement, credentials):
            imaging()
            await self.databases.guard(self.provisioner.snapshot(database.volume, snapshot_id))
        try:
            usage = (
                None
                if measure_later
                else await self.provisioner.snapshot_usage(database.volume, snapshot_id)
            )
            row = await self._record(
                database,
                id=snapshot_id,
                name=name,
                database_id=database.id,
                description=description,
                status=READY,
                volume=database.volume,
                created_for=created_for,
                scheduled=scheduled,
                size_bytes=usage.logical_bytes if usage else None,
                unique_bytes=usage.unique_bytes if usage else None,
            )
        except BaseException:
            await self.provisioner.destroy_snapshot(database.volume, snapshot_id)
            raise
        return row

    async def _record(self, database: Database, **values: object) -> Snapshot:
        try:
            async with self.databases.event_log.change() as change:
                row = await Snapshot.create(**values, using_db=change.connection)
                change.announce(
                    self.databases.event(
                        "snapshot.created", database, snapshot_id=row.id, scheduled=row.scheduled
                    )
                )
            return row
        except IntegrityError:
            raise ValidationError(
                f"The database already has a snapshot named '{values['name']}'"
            ) from None

    async def delete(self, snapshot_id: str, cascade: bool) -> None:
        row = await self.find(snapshot_id)
        branches = await Database.filter(snapshot_id=row.id).order_by("name")
        if branches and not cascade:
            raise ResourceBusyError(
                f"Snapshot '{row.name}' has branches: "
                + ", ".join(branch.name for branch in branches)
                + "; delete them first or pass ?cascade=true"
            )
        for branch in branches:
            refuse_if_protected(branch, await self.databases.descendants(branch), "deleted")
        for branch in branches:
            await self.databases.delete(branch.id, cascade=True)
        if not await Snapshot.exists(id=row.id):
            return  # it was taken only for those branches and went with them
        database = await self.databases.find(row.database_id)
        async with operations.locked_operation(
            "snapshot.delete", database, wait_s=operations.SHORT_WAIT_S
        ):
            await self.databases.guard(self.provisioner.destroy_snapshot(row.volume, row.id))
            await self._forget(database, row)

    async def take_scheduled(self, database: Database, now: datetime) -> Snapshot | None:
        """The snapshot a schedule asks for, then the oldest scheduled ones beyond its `keep`
        go, except those a branch depends on (snapshots users took are never counted)."""
        async with operations.locked_operation(
            "snapshot.scheduled", database, wait_s=operations.SHORT_WAIT_S
        ):
            if database.snapshot_every_s is None or database.status not in lifecycle.CAN_CHANGE:
                return None
            name = f"scheduled-{now:%Y%m%d-%H%M%S}"
            if await Snapshot.exists(database_id=database.id, name=name):
                return None
            await self.databases.guard(self.provisioner.require_free_space())
            taken = await self.take(
                database, name, "Taken by the snapshot schedule", scheduled=True
            )
            await self._prune(database)
        return taken

    async def _prune(self, database: Database) -> None:
        keep = database.snapshot_keep or 1
        scheduled = await Snapshot.filter(database_id=database.id, scheduled=True).order_by(
            "-created_at", "-id"
        )
        for old in scheduled[keep:]:
            if await Database.exists(snapshot_id=old.id):
                continue  # a branch depends on it
            try:
                await self.databases.guard(self.provisioner.destroy_snapshot(old.volume, old.id))
            except StagError as exc:  # pinned underneath (a reset cloned it): kept for now
                log.warning("scheduled snapshot %s kept: %s", old.id, exc.message)
                continue
            await self._forget(database, old)

    async def _forget(self, database: Database, row: Snapshot) -> None:
        async with self.databases.event_log.change() as change:
            await row.delete(using_db=change.connection)
            change.announce(
                self.databases.event(
                    "snapshot.deleted", database, snapshot_id=row.id, scheduled=row.scheduled
                )
            )


def view(row: Snapshot) -> SnapshotView:
    return SnapshotView(
        id=row.id,
        name=row.name,
        database_id=row.database_id,
        description=row.description,
        status=row.status,
        size_bytes=row.size_bytes,
        unique_bytes=row.unique_bytes,
        scheduled=row.scheduled,
        created_at=row.created_at,
    )
