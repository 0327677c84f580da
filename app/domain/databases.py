"""DatabaseService: create, read, update, start, stop and delete databases."""

from __future__ import annotations

import asyncio
import builtins
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from app.domain import lifecycle, operations, tenancy
from app.domain.catalog import EngineCatalog
from app.domain.durations import format_duration
from app.domain.events import DatabaseEvent, EventLog
from app.domain.ids import looks_like_id, new_id
from app.domain.jobs import JobBook
from app.domain.masking_rules import columns_for, parse_rules, rules_of
from app.domain.naming import validate_name
from app.domain.pagination import Page, PageRequest
from app.domain.ports import candidate_ports
from app.domain.provisioning import DRIVER_FAILURES, Placement, Provisioner, pool_is_full
from app.domain.quotas import ProjectQuotas
from app.domain.refresh_schedules import RefreshChange
from app.domain.resources import Resources, format_memory, parse_resources
from app.domain.rollback import Rollback
from app.domain.tenancy import visible
from app.domain.upkeep import Upkeep
from app.domain.views import (
    Connection,
    DatabaseView,
    MaskingRuleView,
    RefreshScheduleView,
    ResourcesView,
)
from app.engines import Account, Engine
from app.errors import (
    InsufficientResources,
    NotFoundError,
    ResourceBusyError,
    ServerError,
    StagError,
    ValidationError,
)
from app.models import Database, Job, Operation, Snapshot

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
V = TypeVar("V")

DESCRIPTION_MAX = 1000


@dataclass(frozen=True)
class CreateDatabase:
    name: object
    type: object
    version: object = None
    description: object = None
    resources: object = None
    upkeep: Mapping[str, object] = field(default_factory=dict)  # ttl, protected, schedule…
    superuser: object = False  # the connection account is the engine's superuser
    masking_rules: object = None


@dataclass(frozen=True)
class UpkeepDefaults:
    """The server's defaults: when new branches expire, when new databases stop idling."""

    branch_ttl_s: int | None = None
    auto_stop_after_s: int | None = None

    def for_database(self) -> Upkeep:
        return Upkeep(auto_stop_after_s=self.auto_stop_after_s)

    def for_branch(self, now: datetime) -> Upkeep:
        expires = None if self.branch_ttl_s is None else now + timedelta(seconds=self.branch_ttl_s)
        return Upkeep(expires_at=expires, auto_stop_after_s=self.auto_stop_after_s)


@dataclass(frozen=True)
class NewDatabase:
    """A validated request for a new database, whatever its data comes from."""

    name: str
    engine: str
    version: str
    description: str
    resources: Resources
    project_id: str
    parent_id: str | None = None
    snapshot_id: str | None = None
    data_password: str | None = None  # the password the copied data already holds
    data_login_as: str | None = None  # the account it is for, when not the database's own
    upkeep: Upkeep = Upkeep()
    account: Account | None = None  # a branch's: its parent's; else the engine's default
    options: Mapping[str, object] = field(default_factory=dict)  # recorded in its operation
    masking: Mapping[str, object] = field(default_factory=dict)  # masking_rules, masking_key


class Creation:
    """A database being created (see `DatabaseService.creation`): its reserved record, the
    rollback every step adds its undo to, and the step that runs and readies it."""

    def __init__(
        self,
        service: DatabaseService,
        row: Database,
        data_password: str | None,
        operation: Operation,
        data_login_as: str | None = None,
    ) -> None:
        self.service = service
        self.row = row
        self.operation = operation
        self.data_password = data_password  # the password the copied data already holds
        self.data_login_as = data_login_as  # the account it is for, when not the row's
        self.rollback = Rollback()
        self.view: DatabaseView | None = None
        self.volume_is_spare = False  # a spare clone of the template, taken for it, is its volume

    def own_volume(self) -> None:
        """From here on, a failure destroys the new database's volume."""
        volume, provisioner = self.row.volume, self.service.provisioner
        self.rollback.push("destroy volume", lambda: provisioner.destroy_volume(volume))

    async def fill(self, work: Awaitable[object]) -> None:
        """Fill the new database's volume with `work` (a clone); undone by destroying it."""
        self.own_volume()
        await self.service.guard(work)

    async def fill_from_template(self, template: str) -> None:
        """Give the new database the template's content: a clone, unless its volume is a
        spare clone taken for it."""
        if self.volume_is_spare:
            self.own_volume()
        else:
            await self.fill(self.service.provisioner.clone_template(template, self.row.volume))

    async def start(self) -> None:
        """Run the filled volume's container and wait until it accepts fresh credentials."""
        provisioner, row = self.service.provisioner, self.row
        await self.service.guard(provisioner.limit_disk(row.volume))
        placement = self.service.placement(row)
        await self.service.guard(provisioner.expose(placement))
        self.rollback.push("remove container", lambda: provisioner.remove_container(None, row.id))
        container_id = await self.service.guard(provisioner.run_container(placement))
        row.container_id = container_id
        await self.service.guard(
            provisioner.wait_ready(
                container_id,
                placement,
                (row.username, row.password),
                self.data_password,
                self.data_login_as,
            )
        )

    def result(self) -> DatabaseView:
        if self.view is None:
            raise ServerError("the database was not created")
        return self.view


@dataclass(frozen=True)
class UpdateDatabase:
    name: object = None
    description: object = None
    resources: object = None
    type: object = None
    version: object = None
    fields: frozenset[str] = frozenset()
    upkeep: Mapping[str, object] = field(default_factory=dict)
    masking_rules: object = None
    refresh: RefreshChange | None = None  # checked beforehand (ImportService.refresh_change)


@dataclass(frozen=True)
class DatabaseFilter:
    type: str | None = None
    status: str | None = None
    parent_id: str | None = None


class DatabaseService:
    def __init__(
        self,
        catalog: EngineCatalog,
        provisioner: Provisioner,
        connect_host: str,
        port_range: tuple[int, int],
        event_log: EventLog,
        default_memory_bytes: int | None = None,
        upkeep_defaults: UpkeepDefaults | None = None,
    ) -> None:
        self.default_memory_bytes = default_memory_bytes
        self.upkeep_defaults = upkeep_defaults or UpkeepDefaults()
        self.jobs = JobBook(provisioner.host)
        self.catalog = catalog
        self.provisioner = provisioner
        self.quotas = ProjectQuotas()
        self.connect_host = connect_host
        self.port_range = port_range
        self.event_log = event_log
        self._allocation_lock = asyncio.Lock()

    async def list(self, filters: DatabaseFilter, page: PageRequest) -> Page[DatabaseView]:
        query = visible(Database.all())
        if filters.type is not None:
            self.catalog.engine(filters.type)
            query = query.filter(engine=filters.type)
        if filters.status is not None:
            if filters.status not in lifecycle.STATUSES:
                raise ValidationError("status must be one of " + ", ".join(lifecycle.STATUSES))
            query = query.filter(status=filters.status)
        if filters.parent_id is not None:
            parent = await self.find(filters.parent_id)
            query = query.filter(parent_id=parent.id)
        total = await query.count()
        rows = await query.order_by("created_at", "id").offset(page.offset).limit(page.limit)
        return Page(items=[self.view(row) for row in rows], request=page, total=total)

    async def get(self, ref: str) -> DatabaseView:
        return self.view(await self.find(ref))

    async def views_by_ids(self, ids: Sequence[str]) -> dict[str, DatabaseView]:
        """Batch read for dataloaders: one query for any number of ids."""
        rows = await visible(Database.filter(id__in=list(ids)))
        return {row.id: self.view(row) for row in rows}

    async def branches_of(
        self, parent_ids: Sequence[str]
    ) -> dict[str, builtins.list[DatabaseView]]:
        rows = await visible(Database.filter(parent_id__in=list(parent_ids))).order_by(
            "created_at", "id"
        )
        return _grouped(rows, lambda row: row.parent_id, self.view)

    async def branches_of_snapshots(
        self, snapshot_ids: Sequence[str]
    ) -> dict[str, builtins.list[DatabaseView]]:
        rows = await visible(Database.filter(snapshot_id__in=list(snapshot_ids))).order_by(
            "created_at", "id"
        )
        return _grouped(rows, lambda row: row.snapshot_id, self.view)

    async def find(self, ref: str) -> Database:
        """A database the caller may see, by id (`db-…`) or by name (names never have the
        form of an id). Another project's database is not found, exactly as if it did not
        exist; a name is looked up in the caller's own project first."""
        if looks_like_id("db", ref):
            row = await visible(Database.filter(id=ref)).first()
        else:
            row = await Database.get_or_none(project_id=tenancy.current().project_id, name=ref)
            if row is None and tenancy.current().sees_every_project:
                row = await self._only_one_named(ref)
        if row is None:
            raise NotFoundError(f"Database '{ref}' not found")
        return row

    @staticmethod
    async def _only_one_named(name: str) -> Database | None:
        rows = await Database.filter(name=name).limit(2)
        if len(rows) > 1:
            raise ValidationError(f"Several projects have a database named '{name}': use its id")
        return rows[0] if rows else None

    async def create(self, request: CreateDatabase) -> DatabaseView:
        new, template = await self.plan(request)
        async with (
            self.provisioner.spares.taking(template) as spare,
            self.creation(new, "database.create", spare) as creation,
        ):
            await creation.fill_from_template(template)
            await creation.start()
        return creation.result()

    async def plan(self, request: CreateDatabase) -> tuple[NewDatabase, str]:
        """A request for a new, empty database checked, with the template its volume is
        cloned from (made the first time an engine version is used)."""
        engine = self.catalog.engine(request.type)
        name = validate_name(request.name)
        description = describe(request.description)
        resources = parse_resources(request.resources, engine.tunables)
        if resources.memory_bytes is None and self.default_memory_bytes is not None:
            resources = Resources(self.default_memory_bytes, resources.cpus, resources.settings)
        upkeep = self.upkeep_defaults.for_database().changed(request.upkeep)
        account = engine.account(_flag(request.superuser, "superuser"))
        version = await self.catalog.resolve_version(engine, request.version)
        image = self.catalog.image(engine, version)
        project_id = tenancy.current().project_id
        if await Database.exists(project_id=project_id, name=name):
            raise ValidationError(f"A database named '{name}' already exists")

        template = await self.guard(self.provisioner.ensure_template(engine, version, image))
        masking = columns_for(parse_rules(request.masking_rules), None)
        login_as, data_password = self.provisioner.template_login(engine, template) or (None, None)
        new = NewDatabase(
            name, engine.name, version, description, resources, project_id,
            upkeep=upkeep, account=account, masking=masking,
            data_password=data_password, data_login_as=login_as,
        )  # fmt: skip
        return new, template

    @asynccontextmanager
    async def creation(
        self, new: NewDatabase, kind: str, spare: str | None = None
    ) -> AsyncIterator[Creation]:
        """One new database as a linear sequence with one rollback: the record is reserved
        (locked, with a port) on entry; the caller fills its volume and calls `start`; on a
        clean exit the database is announced, and on any failure every step that happened
        is undone in reverse order and the attempt is recorded as failed. With `spare` (a
        spare volume taken for it, see SpareVolumes) the database gets that id and volume."""
        engine = self.catalog.engine(new.engine)
        database_id = spare or new_id("db")
        recorded = {
            "name": new.name,
            "type": engine.name,
            "parent_id": new.parent_id,
            "project_id": new.project_id,
        }
        try:
            await self.guard(self.provisioner.require_free_space())
            operation = await operations.begin(kind, database_id, {**recorded, **new.options})
        except BaseException:
            await self._give_up_spare(spare)
            raise
        try:
            row = await self._reserve(new, engine, database_id, operation.id)
        except BaseException as exc:
            await self._give_up_spare(spare)
            await operations.finish(operation, _public_message(exc))
            raise
        if spare is not None:
            await self.provisioner.spares.recorded(spare)
        creation = Creation(self, row, new.data_password, operation, new.data_login_as)
        creation.volume_is_spare = spare is not None
        creation.rollback.push("delete row", row.delete)
        creation.rollback.push("release port", lambda: self.provisioner.release_port(row))
        try:
            async with operations.leased(operation, row.id):
                yield creation
                if row.container_id is None:
                    raise ServerError("the new database was never started")
        except BaseException as exc:
            await creation.rollback.run()
            await operations.finish(operation, _public_message(exc))
            await self.announce(
                lifecycle.transition(lifecycle.CREATING, "creation failed").event or "",
                row,
                lifecycle.FAILED,
                reason=_public_message(exc),
            )
            raise
        row.locked_by, row.lock_expires_at = None, None
        await self.change(
            row,
            "created" if row.parent_id is None else "branched",
            ["container_id", "locked_by", "lock_expires_at", "snapshot_id"],
        )
        await operations.finish(operation)
        await self.jobs.plan(row)
        creation.view = self.view(row)

    async def _give_up_spare(self, spare: str | None) -> None:
        """A spare taken for a database that was never recorded goes."""
        if spare is not None:
            try:
                await self.provisioner.destroy_volume(spare)
            finally:
                await self.provisioner.spares.recorded(spare)

    async def _reserve(
        self, new: NewDatabase, engine: Engine, database_id: str, operation_id: str
    ) -> Database:
        """The new database's row, locked by its creation and holding a free port."""
        account = new.account or engine.account(superuser=False)
        return await self._insert(
            id=database_id,
            project_id=new.project_id,
            name=new.name,
            engine=engine.name,
            version=new.version,
            status=lifecycle.CREATING,
            desired_status=lifecycle.RUNNING,
            host=self.provisioner.host,
            username=account.username,
            superuser=account.superuser,
            password=secrets.token_urlsafe(18),
            database_name=account.database,
            description=new.description,
            memory_bytes=new.resources.memory_bytes,
            cpus=new.resources.cpus,
            settings=dict(new.resources.settings) or None,
            parent_id=new.parent_id,
            snapshot_id=new.snapshot_id,
            volume=database_id,
            locked_by=operation_id,
            lock_expires_at=operations.lease_deadline(),
            last_active_at=datetime.now(UTC),
            **new.upkeep.columns(),
            **new.masking,
        )

    def event(
        self,
        name: str,
        row: Database,
        status: str | None = None,
        snapshot_id: str | None = None,
        reason: str | None = None,
        scheduled: bool | None = None,
    ) -> DatabaseEvent:
        return DatabaseEvent(
            event=name,
            database_id=row.id,
            name=row.name,
            type=row.engine,
            status=status or row.status,
            parent_id=row.parent_id,
            snapshot_id=snapshot_id or row.snapshot_id,
            reason=reason,
            scheduled=scheduled,
            project_id=row.project_id,
        )

    async def change(
        self,
        row: Database,
        cause: str,
        fields: Iterable[str] = (),
        error: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Move `row` through the lifecycle for `cause`, saving `fields` with the new status
        and `error`, and announcing the transition's event (with `reason`, or else the
        error), all in one transaction."""
        step = lifecycle.transition(row.status, cause)
        row.status = lifecycle.target_of(row.status, cause)
        row.error = error
        row.desired_status = lifecycle.desired_after(cause) or row.desired_status
        columns = [*fields, "status", "error", "desired_status", "updated_at"]
        async with self.event_log.change() as change:
            await row.save(update_fields=list(dict.fromkeys(columns)), using_db=change.connection)
            if step.event is not None:
                change.announce(self.event(step.event, row, reason=reason or error))

    async def announce(
        self, event: str, row: Database, status: str | None = None, reason: str | None = None
    ) -> None:
        """Record an event that comes with no write of its own."""
        async with self.event_log.change() as change:
            change.announce(self.event(event, row, status, reason=reason))

    async def update(self, ref: str, request: UpdateDatabase) -> DatabaseView:
        row = await self.find(ref)
        if "type" in request.fields and request.type != row.engine:
            raise ValidationError("The type of a database cannot be changed")
        if "version" in request.fields and str(request.version) != row.version:
            raise ValidationError("The version of a database cannot be changed")
        name = validate_name(request.name) if "name" in request.fields else row.name
        description = (
            describe(request.description) if "description" in request.fields else row.description
        )
        current = resources_of(row)
        resources = (
            parse_resources(request.resources, self.catalog.engine(row.engine).tunables, current)
            if "resources" in request.fields
            else current
        )
        if name != row.name and await Database.exists(project_id=row.project_id, name=name):
            raise ValidationError(f"A database named '{name}' already exists")
        if resources.memory_bytes != row.memory_bytes:
            await self.quotas.admit_memory_change(row, resources.memory_bytes)
        Upkeep.of(row).changed(request.upkeep)  # refuse bad input before taking the lock
        rules = parse_rules(request.masking_rules)

        async with operations.locked_operation("database.update", row):
            self._require(row, lifecycle.CAN_CHANGE, "updated")
            current = resources_of(row)
            row.name, row.description = name, description
            upkeep = Upkeep.of(row).changed(request.upkeep)
            for column, value in upkeep.columns().items():
                setattr(row, column, value)
            masking = {}
            if "masking_rules" in request.fields:
                masking = columns_for(rules, row.masking_key)
                for column, value in masking.items():
                    setattr(row, column, value)
            refresh = request.refresh.columns if request.refresh else {}
            for column, value in refresh.items():
                setattr(row, column, value)
            if resources != current:
                await self._apply_resources(row, current, resources)
            try:
                await self.change(
                    row,
                    "updated",
                    ["name", "description", "memory_bytes", "cpus", "settings", "container_id",
                     *upkeep.columns(), *masking, *refresh],
                    error=row.error,
                )  # fmt: skip
            except IntegrityError:
                raise ValidationError(f"A database named '{name}' already exists") from None
        await self.jobs.plan(row)
        return self.view(row)

    async def _apply_resources(self, row: Database, current: Resources, new: Resources) -> None:
        row.memory_bytes, row.cpus = new.memory_bytes, new.cpus
        row.settings = dict(new.settings) or None
        lifts_a_limit = (current.memory_bytes is not None and new.memory_bytes is None) or (
            current.cpus is not None and new.cpus is None
        )
        if row.container_id is None:
            return
        if not lifts_a_limit and new.settings == current.settings:
            await self.guard(
                self.provisioner.update_resources(row.container_id, new.memory_bytes, new.cpus)
            )
            return
        # Docker cannot lift a limit in place, and engine settings are in the container's
        # command: recreate the container on the same volume.
        await self.guard(self.provisioner.remove_container(row.container_id, row.id))
        row.container_id = None
        if row.status == lifecycle.RUNNING:
            row.container_id = await self.guard(
                self.provisioner.bring_up(self.placement(row), None, row.password)
            )

    async def start(self, ref: str) -> DatabaseView:
        row = await self.find(ref)
        if row.status == lifecycle.RUNNING:
            return self.view(row)
        self._require(row, lifecycle.CAN_START, "started")
        async with operations.locked_operation("database.start", row):
            if row.status == lifecycle.RUNNING:
                return self.view(row)  # started by the operation before this one
            self._require(row, lifecycle.CAN_START, "started")
            try:
                row.container_id = await self.guard(
                    self.provisioner.bring_up(self.placement(row), row.container_id, row.password)
                )
            except StagError as exc:
                await self.change(row, "start failed", ["container_id"], error=exc.message)
                raise
            row.idle_stopped, row.last_active_at = False, datetime.now(UTC)
            await self.change(row, "started", ["container_id", "idle_stopped", "last_active_at"])
        await self.jobs.plan(row)
        return self.view(row)

    async def wake(self, row: Database, wait_s: float) -> None:
        """Start a database that idling stopped, for a client connecting to it."""
        async with operations.locked_operation("database.wake", row, wait_s=wait_s):
            if row.status == lifecycle.RUNNING:
                return
            if not (row.status == lifecycle.STOPPED and row.idle_stopped):
                raise ResourceBusyError(f"Database '{row.name}' is {row.status}")
            row.container_id = await self.guard(
                self.provisioner.bring_up(self.placement(row), row.container_id, row.password)
            )
            row.idle_stopped, row.last_active_at = False, datetime.now(UTC)
            await self.change(
                row,
                "woken by connection",
                ["container_id", "idle_stopped", "last_active_at"],
                reason="connection",
            )
        await self.jobs.plan(row)

    async def stop_idle(self, row: Database) -> bool:
        """Stop a running database no client has used for its `auto_stop_after`; False when
        a client connection is open after all (the database is then left running)."""
        async with operations.locked_operation("database.idle_stop", row):
            if row.status != lifecycle.RUNNING or row.desired_status != lifecycle.RUNNING:
                return True
            if not await self.provisioner.doors.quiet(row.id):
                row.last_active_at = datetime.now(UTC)
                await row.save(update_fields=["last_active_at"])
                return False
            await self.guard(self.provisioner.stop_container(row.container_id, row.id))
            row.idle_stopped = True
            await self.change(row, "stopped idle", ["idle_stopped"], reason="idle")
        await self.jobs.plan(row)
        return True

    async def stop(self, ref: str) -> DatabaseView:
        row = await self.find(ref)
        if row.status == lifecycle.STOPPED:
            return self.view(row)
        self._require(row, lifecycle.CAN_STOP, "stopped")
        async with operations.locked_operation("database.stop", row):
            if row.status == lifecycle.STOPPED:
                return self.view(row)
            self._require(row, lifecycle.CAN_STOP, "stopped")
            await self.guard(self.provisioner.stop_container(row.container_id, row.id))
            row.idle_stopped = False
            await self.change(row, "stopped", ["idle_stopped"])
        await self.jobs.plan(row)
        return self.view(row)

    async def delete(self, ref: str, cascade: bool = False) -> None:
        """Delete a database; with `cascade`, its branches (and theirs) go first."""
        row = await self.find(ref)
        descendants = await self.descendants(row)
        if descendants and not cascade:
            children = sorted(d.name for d in descendants if d.parent_id == row.id)
            raise ResourceBusyError(
                f"Database '{row.name}' has branches: {', '.join(children)}; "
                "delete them first or pass ?cascade=true"
            )
        refuse_if_protected(row, descendants, "deleted")
        if not descendants:
            await self._destroy(row)
            return
        # One operation stands for the whole cascade; each database's own delete is inside it.
        cascade_op = await operations.begin(
            "database.delete", row.id, {"cascade": True}, project_id=row.project_id
        )
        try:
            for descendant in reversed(descendants):
                await self._destroy(descendant)
            await self._destroy(row)
        except BaseException as exc:
            await operations.finish(cascade_op, _public_message(exc))
            raise
        await operations.finish(cascade_op)

    async def expire(self, row: Database) -> str | None:
        """Delete an expired database with its branches, each announced by
        `database.expired` before it goes; when any of them is protected nothing is deleted
        and the answer says which one."""
        descendants = await self.descendants(row)
        protected = [r.name for r in [row, *descendants] if r.protected]
        if protected:
            return (
                f"expiry of '{row.name}' postponed: '{protected[0]}' is protected; "
                "nothing was deleted"
            )
        when = (row.expires_at or datetime.now(UTC)).isoformat().replace("+00:00", "Z")
        for descendant in reversed(descendants):
            await self._destroy(descendant, "expiring", f"'{row.name}' expired at {when}")
        await self._destroy(row, "expiring", f"expired at {when}")
        return None

    async def descendants(self, row: Database) -> builtins.list[Database]:
        """Every branch below `row`, parents before their children."""
        found: builtins.list[Database] = []
        frontier = [row.id]
        while frontier:
            level = await Database.filter(parent_id__in=frontier).order_by("created_at", "id")
            found.extend(level)
            frontier = [child.id for child in level]
        return found

    async def _destroy(
        self, row: Database, cause: str = "deleting", reason: str | None = None
    ) -> None:
        async with operations.locked_operation("database.delete", row):
            if row.protected:
                raise ResourceBusyError(_protected_message(row.name, "deleted"))
            await self.change(row, cause, error=row.error, reason=reason)
            try:
                await self.remove_everything(row)
            except ServerError as exc:
                raise ServerError(
                    f"Deleting '{row.name}' failed in the container runtime or storage pool; "
                    "the server tries again in the background, and the database shows status "
                    "'deleting' until it is gone (deleting it again retries at once). Check "
                    "`stagdb doctor` and the server log."
                ) from exc
        await self.drop_snapshot_made_for(row)

    async def remove_everything(self, row: Database) -> None:
        """Remove a deleting (or never finished) database: container, every volume it had,
        its snapshots, its port claim and its row. Safe to run again after an interruption."""
        await self.guard(self.provisioner.remove_container(row.container_id, row.id))
        # Newest volume first: after resets, each volume may be a clone of a snapshot on
        # the one before it (copy-on-write backends pin a snapshot while clones exist).
        snapshots = await Snapshot.filter(database_id=row.id).order_by("-created_at")
        await self.guard(self.provisioner.destroy_volume(row.volume))
        for retired in dict.fromkeys(s.volume for s in snapshots if s.volume != row.volume):
            await self.guard(self.provisioner.destroy_volume(retired))
        cause = "deleted" if row.parent_id is None else "branch deleted"
        if row.status != lifecycle.DELETING:
            cause = "creation failed"
        event = lifecycle.transition(row.status, cause).event
        async with self.event_log.change() as change:
            for snapshot in snapshots:
                await snapshot.delete(using_db=change.connection)
                change.announce(
                    self.event("snapshot.deleted", row, "deleting", snapshot_id=snapshot.id)
                )
            await row.delete(using_db=change.connection)
            await Job.filter(database_id=row.id).using_db(change.connection).delete()
            if event is not None:
                change.announce(self.event(event, row, "deleted"))
        await self.provisioner.release_port(row)

    async def drop_snapshot_made_for(self, branch: Database) -> None:
        """A parent's snapshot taken only to create branches goes when its last branch goes
        (branch requests arriving together share one, see `sharing`)."""
        taken_for_branches = Q(created_for=branch.id)
        if branch.snapshot_id is not None:
            taken_for_branches |= Q(id=branch.snapshot_id, created_for__isnull=False)
        for snapshot in await Snapshot.filter(taken_for_branches):
            await self.release_branch_snapshot(snapshot, branch.id)

    async def release_branch_snapshot(self, snapshot: Snapshot, branch_id: str) -> None:
        """Branch `branch_id` no longer uses `snapshot` (taken for branches): it goes when no
        other database uses it, or else is credited to one that does."""
        heir = (
            await Database.filter(snapshot_id=snapshot.id)
            .exclude(id=branch_id)
            .order_by("created_at", "id")
            .first()
        )
        if heir is None:
            await self.guard(self.provisioner.destroy_snapshot(snapshot.volume, snapshot.id))
            await snapshot.delete()
        elif snapshot.created_for == branch_id:
            snapshot.created_for = heir.id
            await snapshot.save(update_fields=["created_for"])

    async def keep_engines_warm(self) -> None:
        """Have warm engines made for the images this host's databases use now, rather than
        after each image's first create or branch since the server started."""
        if not self.provisioner.takes_warm_engines or self.provisioner.warm is None:
            return
        in_use = await Database.filter(host=self.provisioner.host).values_list("engine", "version")
        for name, version in set(in_use):
            try:
                engine = self.catalog.engine(name)
            except ValidationError:  # an engine this server no longer offers
                continue
            self.provisioner.warm.want(engine, self.catalog.image(engine, str(version)))

    def placement(self, row: Database) -> Placement:
        engine = self.catalog.engine(row.engine)
        if row.port is None:
            raise ServerError("Database has no port assigned")
        return Placement(
            database_id=row.id,
            engine=engine,
            version=row.version,
            image=self.catalog.image(engine, row.version),
            volume=row.volume,
            port=row.port,
            memory_bytes=row.memory_bytes,
            cpus=row.cpus,
            username=row.username,
            password=row.password,
            settings=row.settings or {},
        )

    def view(self, row: Database) -> DatabaseView:
        engine = self.catalog.engine(row.engine)
        connection = None
        if row.port is not None:
            connection = Connection(
                uri=engine.connection_uri(
                    self.connect_host, row.port, row.username, row.password, row.database_name
                ),
                host=self.connect_host,
                port=row.port,
                username=row.username,
                password=row.password,
                database=row.database_name,
            )
        return DatabaseView(
            id=row.id,
            project_id=row.project_id,
            name=row.name,
            type=row.engine,
            version=row.version,
            status=row.status,
            error=row.error,
            host=self.connect_host,
            port=row.port,
            connection=connection,
            superuser=row.superuser,
            description=row.description,
            resources=ResourcesView(format_memory(row.memory_bytes), row.cpus, row.settings or {}),
            parent_id=row.parent_id,
            snapshot_id=row.snapshot_id,
            expires_at=row.expires_at,
            protected=row.protected,
            auto_stop_after=format_duration(row.auto_stop_after_s)
            if row.auto_stop_after_s is not None
            else None,
            snapshot_schedule=schedule.view() if (schedule := Upkeep.of(row).schedule) else None,
            source=str((row.source_options or {}).get("uri")) if row.source_options else None,
            refresh_schedule=RefreshScheduleView(format_duration(row.refresh_every_s))
            if row.refresh_every_s is not None
            else None,
            masking_rules=[MaskingRuleView(r.table, r.column, r.with_) for r in rules_of(row)]
            if row.masking_rules is not None
            else None,
            masked=row.masked,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    async def _insert(self, **values: Any) -> Database:
        """Insert a new row with a port free on this host and claimed by no other install;
        the (host, port) unique key settles races between this install's replicas."""
        async with self._allocation_lock:
            await self.quotas.admit_database(values["project_id"], values["memory_bytes"])
            for port in await candidate_ports(
                self.provisioner.host, self.port_range, self.provisioner.port_is_free
            ):
                if not await self.provisioner.claim_port(port, values["id"]):
                    continue
                try:
                    return await Database.create(port=port, **values)
                except IntegrityError:
                    await self.provisioner.release_port_of(port, values["id"])
                    if await Database.exists(project_id=values["project_id"], name=values["name"]):
                        raise ValidationError(
                            f"A database named '{values['name']}' already exists"
                        ) from None
        raise ResourceBusyError("Ports are being allocated concurrently; retry")

    @staticmethod
    def _require(row: Database, allowed: tuple[str, ...], action: str) -> None:
        if row.status not in allowed:
            raise ResourceBusyError(
                f"Database '{row.name}' is {row.status} and cannot be {action} now"
            )

    @staticmethod
    async def guard(work: Awaitable[T]) -> T:
        """Await a driver call, turning driver failures into a public, internals-free error."""
        try:
            return await work
        except DRIVER_FAILURES as exc:
            log.error("driver failure: %s", exc)
            if pool_is_full(exc):
                raise InsufficientResources(
                    "The storage pool is full; delete databases or snapshots to free space"
                ) from exc
            raise ServerError(
                "The operation failed in the container runtime or storage pool; "
                "nothing was left half-made. Check `stagdb doctor` and the server log."
            ) from exc


def resources_of(row: Database) -> Resources:
    return Resources(row.memory_bytes, row.cpus, row.settings or {})


def _grouped(
    rows: Iterable[R], key: Callable[[R], str | None], render: Callable[[R], V]
) -> dict[str, builtins.list[V]]:
    groups: dict[str, builtins.list[V]] = {}
    for row in rows:
        group = key(row)
        if group is not None:
            groups.setdefault(group, []).append(render(row))
    return groups


def _protected_message(name: str, action: str) -> str:
    return f"Database '{name}' is protected and cannot be {action}; set protected to false first"


def refuse_if_protected(row: Database, descendants: Iterable[Database], action: str) -> None:
    """Refuse work that would reach a protected database, naming it, before doing any."""
    if row.protected:
        raise ResourceBusyError(_protected_message(row.name, action))
    for descendant in descendants:
        if descendant.protected:
            raise ResourceBusyError(
                f"Database '{descendant.name}' is protected and would be {action} with "
                f"'{row.name}'; nothing was {action}; set protected to false first"
            )


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"{name} must be true or false")
    return value


def describe(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError("description must be a string")
    if len(value) > DESCRIPTION_MAX:
        raise ValidationError(f"description must be at most {DESCRIPTION_MAX} characters")
    return value


def _public_message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, StagError) else f"internal error: {type(exc).__name__}"
