"""SchemaDiffService: how the schema of a database differs from its parent's, another
database's or a snapshot's, as structured changes and as a unified diff of the two dumps.

A running database is read in its own container. Data nobody serves (a snapshot, a stopped
database) is read by a scratch server: a short-lived engine with no network on a throwaway
clone, removed with its clone when the read ends, whatever happens.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from app.domain import lifecycle, operations
from app.domain.databases import DatabaseService
from app.domain.ids import looks_like_id
from app.domain.schema_compare import (
    Schema,
    SchemaChanges,
    SchemaUnreadable,
    compare,
    parse_schema,
    tidy_dump,
    unified_diff,
)
from app.domain.snapshots import SnapshotService
from app.engines import Engine, Listen
from app.errors import ResourceBusyError, ServerError, ValidationError
from app.models import Database, Snapshot

log = logging.getLogger(__name__)

PARENT = "parent"


@dataclass(frozen=True)
class SchemaSide:
    """One side of a comparison: a database or a snapshot."""

    type: str  # "database" or "snapshot"
    id: str
    name: str


@dataclass(frozen=True)
class SchemaDiffView:
    database: SchemaSide
    against: SchemaSide
    changes: SchemaChanges
    unified_diff: str


@dataclass(frozen=True)
class ReadSchema:
    schema: Schema
    dump: str


class SchemaDiffService:
    def __init__(self, databases: DatabaseService, snapshots: SnapshotService) -> None:
        self.databases = databases
        self.snapshots = snapshots
        self.provisioner = databases.provisioner

    async def diff(self, database_ref: str, against: object) -> SchemaDiffView:
        """What `database_ref` has that `against` (`parent`, the default, a snapshot id, or
        a database id or name) has not, and the reverse."""
        row = await self.databases.find(database_ref)
        engine = self.databases.catalog.engine(row.engine)
        if engine.schema_reader is None:
            raise ValidationError(
                f"Schema diff is available for PostgreSQL and MariaDB, not {row.engine}"
            )
        base = await self._against(row, PARENT if against is None else against)
        if isinstance(base, Snapshot):
            origin = await self.databases.find(base.database_id)
            side = SchemaSide("snapshot", base.id, base.name)
            before = await self._read_snapshot(origin, base)
        else:
            side = SchemaSide("database", base.id, base.name)
            before = await self._read_database(base)
        after = await self._read_database(row)
        return SchemaDiffView(
            database=SchemaSide("database", row.id, row.name),
            against=side,
            changes=compare(before.schema, after.schema),
            unified_diff=unified_diff(
                before.dump, after.dump, f"{side.type} {side.name}", f"database {row.name}"
            ),
        )

    async def _against(self, row: Database, ref: object) -> Database | Snapshot:
        if not isinstance(ref, str) or not ref:
            raise ValidationError("against must be 'parent', a snapshot id or a database id")
        if ref == PARENT:
            if row.parent_id is None:
                raise ValidationError(
                    f"Database '{row.name}' is not a branch: pass against=<snapshot id> "
                    "or against=<database id or name>"
                )
            base: Database | Snapshot = await self.databases.find(row.parent_id)
        elif looks_like_id("snap", ref):
            base = await self.snapshots.find(ref)
        else:
            base = await self.databases.find(ref)
        engine = (
            (await self.databases.find(base.database_id)).engine
            if isinstance(base, Snapshot)
            else base.engine
        )
        if engine != row.engine:
            raise ValidationError(
                f"Cannot compare a {row.engine} database with {engine} data: "
                "pick a database or snapshot of the same type"
            )
        return base

    async def _read_database(self, row: Database) -> ReadSchema:
        if row.status == lifecycle.RUNNING and row.container_id is not None:
            listen = self.provisioner.listen(self._engine(row), _port(row))
            return await self._read_in(row.container_id, listen, row)
        if row.status != lifecycle.STOPPED:
            raise ResourceBusyError(
                f"Database '{row.name}' is {row.status}; its schema can be read when it is "
                "running or stopped"
            )
        # Stopped: held so that nobody starts it while its volume is cloned and read.
        async with operations.locked_operation("schema.read", row, wait_s=operations.SHORT_WAIT_S):
            if row.status == lifecycle.RUNNING and row.container_id is not None:
                listen = self.provisioner.listen(self._engine(row), _port(row))
                return await self._read_in(row.container_id, listen, row)
            return await self._read_scratch(row, (row.volume, None))

    async def _read_snapshot(self, origin: Database, snapshot: Snapshot) -> ReadSchema:
        # A running operation on the origin keeps the controller off the scratch volume.
        operation = await operations.begin("schema.read", origin.id, project_id=origin.project_id)
        try:
            async with operations.leased(operation, None):
                read = await self._read_scratch(origin, (snapshot.volume, snapshot.id))
        except BaseException as exc:
            await operations.finish(operation, _public_message(exc))
            raise
        await operations.finish(operation)
        return read

    async def _read_scratch(self, row: Database, origin: tuple[str, str | None]) -> ReadSchema:
        engine = self._engine(row)
        image = self.databases.catalog.image(engine, row.version)
        volume = f"{row.id}-scratch-{secrets.token_hex(3)}"
        async with self.provisioner.scratch_server(
            engine, row.version, image, origin, volume
        ) as scratch:
            return await self._read_in(*scratch, row)

    async def _read_in(self, container_id: str, listen: Listen, row: Database) -> ReadSchema:
        engine = self._engine(row)
        reader = engine.schema_reader
        if reader is None:  # refused before any work by `diff`
            raise ValidationError(f"{row.engine} has no schema reader")
        query = reader.query_command(listen, row.database_name)
        try:
            schema = parse_schema(await self._run(container_id, engine, query, row))
        except SchemaUnreadable as exc:
            log.error("schema of %s unreadable: %s", row.id, exc)
            raise ServerError(f"The schema of '{row.name}' could not be read") from exc
        dump = reader.dump_command(listen, row.database_name, schema.dump_objects())
        text = reader.dump_text(await self._run(container_id, engine, dump, row))
        return ReadSchema(schema, tidy_dump(text))

    async def _run(self, container_id: str, engine: Engine, argv: list[str], row: Database) -> str:
        result = await self.databases.guard(self.provisioner.run_in(container_id, engine, argv))
        if result.exit_code != 0:
            log.error("reading the schema of %s failed: %s", row.id, result.output[-2000:])
            raise ServerError(
                f"Reading the schema of '{row.name}' failed in its engine; see the server log"
            )
        return result.output

    def _engine(self, row: Database) -> Engine:
        return self.databases.catalog.engine(row.engine)


def _port(row: Database) -> int:
    if row.port is None:
        raise ServerError("Database has no port assigned")
    return row.port


def _public_message(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    return message if isinstance(message, str) else f"internal error: {type(exc).__name__}"
