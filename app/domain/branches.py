"""BranchService: writable copy-on-write copies of a database or snapshot, and reset."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.domain import lifecycle, operations
from app.domain.databases import (
    DatabaseFilter,
    DatabaseService,
    NewDatabase,
    describe,
    refuse_if_protected,
    resources_of,
)
from app.domain.masking import MaskingService
from app.domain.masking_rules import rules_of
from app.domain.naming import validate_name
from app.domain.pagination import Page, PageRequest
from app.domain.rollback import Rollback
from app.domain.sharing import Arrival, Seal, SharedRounds
from app.domain.snapshots import SnapshotService
from app.domain.upkeep import Upkeep
from app.domain.views import DatabaseView
from app.engines import Account
from app.errors import ResourceBusyError, StagError, ValidationError
from app.models import Database, Snapshot


@dataclass(frozen=True)
class ParentSnapshot:
    """A snapshot taken of a parent for branches, and the password its data holds."""

    snapshot: Snapshot
    password: str


@dataclass(frozen=True)
class CreateBranch:
    name: object
    description: object = None
    upkeep: Mapping[str, object] = field(default_factory=dict)  # ttl, protected, schedule…
    mask: object = None  # false: skip the parent's masking rules (recorded in the operation)


class BranchService:
    def __init__(
        self, databases: DatabaseService, snapshots: SnapshotService, masking: MaskingService
    ) -> None:
        self.databases = databases
        self.snapshots = snapshots
        self.masking = masking
        self.provisioner = databases.provisioner
        self.rounds: SharedRounds[ParentSnapshot] = SharedRounds()

    async def list(self, database_ref: str, page: PageRequest) -> Page[DatabaseView]:
        parent = await self.databases.find(database_ref)
        return await self.databases.list(DatabaseFilter(parent_id=parent.id), page)

    async def from_database(self, database_ref: str, request: CreateBranch) -> DatabaseView:
        """A branch holding the parent's data as of this call: snapshot the parent, clone the
        snapshot, run, ready; one rollback undoes whatever of it happened."""
        parent = await self.databases.find(database_ref)
        with self.rounds.arriving(parent.id) as arrival:
            return await self._branch_of(parent, request, arrival)

    async def _branch_of(
        self, parent: Database, request: CreateBranch, arrival: Arrival[ParentSnapshot]
    ) -> DatabaseView:
        name, description = await self._validate(request, parent.project_id)
        upkeep = self._upkeep(request)
        new = self._new(parent, name, description, None, upkeep, _mask_choice(request))
        async with self.databases.creation(new, "branch.create") as creation:
            branch = creation.row
            taken = await arrival.join(lambda seal: self._snapshot_for(parent, branch, seal))
            async with self.rounds.using(taken.snapshot.id):
                snapshot = taken.snapshot
                creation.rollback.push(
                    "drop the branch's snapshot unless another branch shares it",
                    lambda: self._drop_unshared(snapshot, branch),
                )
                branch.snapshot_id = snapshot.id  # recorded before the round's hold ends
                await branch.save(update_fields=["snapshot_id"])
            creation.data_password = taken.password
            await creation.fill(
                self.provisioner.clone_snapshot(snapshot.volume, snapshot.id, branch.volume)
            )
            await creation.start()
            await self._mask(parent, branch, request)
        return creation.result()

    async def _snapshot_for(self, parent: Database, branch: Database, seal: Seal) -> ParentSnapshot:
        """One round's snapshot of `parent`, named after the branch whose request began it,
        with the parent's password read again under the parent's lock; the round is sealed
        as the image is taken, so requests arriving during the checkpoint share it."""
        async with operations.locked_operation(
            "snapshot.create", parent, wait_s=operations.SHORT_WAIT_S
        ):
            snapshot = await self.snapshots.take(
                parent,
                f"for-{branch.volume}",
                f"Taken to create branch '{branch.name}'",
                created_for=branch.id,
                imaging=seal,
                measure_later=True,
            )
            return ParentSnapshot(snapshot, parent.password)

    async def from_snapshot(self, snapshot_id: str, request: CreateBranch) -> DatabaseView:
        """A branch holding a snapshot's data: clone it, run, ready; one rollback."""
        snapshot = await self.snapshots.find(snapshot_id)
        parent = await self.databases.find(snapshot.database_id)
        name, description = await self._validate(request, parent.project_id)
        upkeep = self._upkeep(request)
        new = self._new(parent, name, description, snapshot.id, upkeep, _mask_choice(request))
        async with self.databases.creation(new, "branch.create") as creation:
            await creation.fill(
                self.provisioner.clone_snapshot(snapshot.volume, snapshot.id, creation.row.volume)
            )
            await creation.start()
            await self._mask(parent, creation.row, request)
        return creation.result()

    async def _drop_unshared(self, snapshot: Snapshot, branch: Database) -> None:
        """Drop a snapshot taken for branches once the failed `branch` was its last user."""
        if not self.rounds.in_use(snapshot.id):
            await self.databases.release_branch_snapshot(snapshot, branch.id)

    async def _mask(self, parent: Database, branch: Database, request: CreateBranch) -> None:
        """Mask a branch of a database with masking rules before it is handed out, unless
        its data is masked already or the caller chose `mask: false`."""
        recorded = branch.masked
        if parent.masked or parent.masking_key is None or not parent.masking_rules:
            branch.masked = parent.masked
        elif request.mask is not False:
            await self.masking.apply(branch, rules_of(parent), parent.masking_key)
        if branch.masked != recorded:
            await branch.save(update_fields=["masked"])

    async def reset(self, database_ref: str, snapshot_id: object) -> DatabaseView:
        """Put a database's data back to a snapshot, keeping its id, name, port and password."""
        row = await self.databases.find(database_ref)
        if snapshot_id is None:
            snapshot_id = row.snapshot_id
        if snapshot_id is None:
            raise ValidationError(
                f"Database '{row.name}' was not made from a snapshot: pass snapshot_id"
            )
        if not isinstance(snapshot_id, str):
            raise ValidationError("snapshot_id must be a string such as 'snap-…'")
        snapshot = await self.snapshots.find(snapshot_id)
        if snapshot.database_id not in (row.id, row.parent_id):
            raise ValidationError(
                f"Snapshot '{snapshot.name}' belongs to neither '{row.name}' nor its parent"
            )
        if row.status not in lifecycle.CAN_RESET:
            raise ResourceBusyError(f"Database '{row.name}' is {row.status} and cannot be reset")
        refuse_if_protected(row, (), "reset")
        async with operations.locked_operation("branch.reset", row):
            refuse_if_protected(row, (), "reset")
            if row.status not in lifecycle.CAN_RESET:
                raise ResourceBusyError(
                    f"Database '{row.name}' is {row.status} and cannot be reset"
                )
            await self._replace_volume(row, snapshot)
        return self.databases.view(row)

    async def _replace_volume(self, row: Database, snapshot: Snapshot) -> None:
        """Swap in a clone of `snapshot` as the database's volume; on failure the database
        goes back to its old volume (and its old running state) before the error is raised."""
        old_volume, new_volume = row.volume, f"{row.id}-{secrets.token_hex(3)}"
        was_running = row.status == lifecycle.RUNNING
        await self.databases.guard(self.provisioner.remove_container(row.container_id, row.id))
        row.container_id = None
        try:
            await self.databases.guard(
                self.provisioner.clone_snapshot(snapshot.volume, snapshot.id, new_volume)
            )
            row.volume = new_volume
            await self.databases.guard(self.provisioner.limit_disk(new_volume))
            await self._run(row, await self._password_of_data(row, snapshot))
        except BaseException:
            await self._restore(row, old_volume, new_volume, was_running)
            raise
        if snapshot.database_id == row.parent_id:
            row.snapshot_id = snapshot.id  # its data now comes from this snapshot of the parent
        await self.databases.change(row, "reset", ["volume", "container_id", "snapshot_id"])
        if not await Snapshot.exists(volume=old_volume):
            await self.databases.guard(self.provisioner.destroy_volume(old_volume))

    async def _restore(
        self, row: Database, old_volume: str, new_volume: str, was_running: bool
    ) -> None:
        rollback = Rollback()
        rollback.push("destroy new volume", lambda: self.provisioner.destroy_volume(new_volume))
        rollback.push(
            "remove new container", lambda: self.provisioner.remove_container(None, row.id)
        )
        await rollback.run()
        row.volume, row.container_id = old_volume, None
        if was_running:
            try:
                await self._run(row, row.password)
            except StagError as exc:
                await self.databases.change(
                    row, "reset failed", ["volume", "container_id"], error=exc.message
                )
                return
        await row.save(update_fields=["volume", "container_id", "updated_at"])

    async def _run(self, row: Database, data_password: str | None) -> None:
        placement = self.databases.placement(row)
        row.container_id = await self.databases.guard(self.provisioner.run_container(placement))
        await self.databases.guard(
            self.provisioner.wait_ready(
                row.container_id, placement, (row.username, row.password), data_password
            )
        )

    async def _password_of_data(self, row: Database, snapshot: Snapshot) -> str | None:
        """The password held by the data in `snapshot`: its database's own."""
        if snapshot.database_id == row.id:
            return row.password
        origin = await Database.get_or_none(id=snapshot.database_id)
        return origin.password if origin else None

    async def _validate(self, request: CreateBranch, project_id: str) -> tuple[str, str]:
        """A branch belongs to its parent's project, whoever asks for it."""
        name = validate_name(request.name)
        if await Database.exists(project_id=project_id, name=name):
            raise ValidationError(f"A database named '{name}' already exists")
        return name, describe(request.description)

    def _upkeep(self, request: CreateBranch) -> Upkeep:
        return self.databases.upkeep_defaults.for_branch(datetime.now(UTC)).changed(request.upkeep)

    @staticmethod
    def _new(
        parent: Database,
        name: str,
        description: str,
        snapshot_id: str | None,
        upkeep: Upkeep,
        options: dict[str, object],
    ) -> NewDatabase:
        return NewDatabase(
            name=name,
            engine=parent.engine,
            version=parent.version,
            description=description,
            resources=resources_of(parent),
            project_id=parent.project_id,
            parent_id=parent.id,
            snapshot_id=snapshot_id,
            data_password=parent.password,
            upkeep=upkeep,
            account=Account(parent.username, parent.database_name, parent.superuser),
            options=options,
        )


def _mask_choice(request: CreateBranch) -> dict[str, object]:
    """The caller's explicit masking choice, recorded in the branch's operation."""
    if request.mask is None:
        return {}
    if not isinstance(request.mask, bool):
        raise ValidationError("mask must be true or false")
    return {"mask": request.mask}
