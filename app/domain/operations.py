"""Operations: every mutating action is recorded, holds the database's lock, and ends
succeeded or failed with its error kept."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from app.domain.ids import new_id
from app.errors import ResourceBusyError, StagError
from app.models import Database, Operation

log = logging.getLogger(__name__)

RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"


async def begin(kind: str, database_id: str | None) -> Operation:
    return await Operation.create(
        id=new_id("op"), kind=kind, database_id=database_id, status=RUNNING
    )


async def finish(operation: Operation, error: str | None = None) -> None:
    operation.status = FAILED if error else SUCCEEDED
    operation.error = error
    operation.finished_at = datetime.now(UTC)
    await operation.save(update_fields=["status", "error", "finished_at"])


async def acquire_lock(database_id: str, operation_id: str, name: str) -> None:
    """Take the database's lock with one conditional UPDATE, safe across API replicas."""
    taken = await Database.filter(id=database_id, locked_by__isnull=True).update(
        locked_by=operation_id
    )
    if not taken:
        raise ResourceBusyError(
            f"Database '{name}' is busy with another operation; retry when it has finished"
        )


async def release_lock(database_id: str, operation_id: str) -> None:
    await Database.filter(id=database_id, locked_by=operation_id).update(locked_by=None)


@asynccontextmanager
async def locked_operation(kind: str, database: Database) -> AsyncIterator[Operation]:
    """Run one operation on an existing database under its lock, recording the outcome."""
    operation = await begin(kind, database.id)
    try:
        await acquire_lock(database.id, operation.id, database.name)
    except ResourceBusyError as exc:
        await finish(operation, exc.message)
        raise
    try:
        yield operation
    except StagError as exc:
        await finish(operation, exc.message)
        raise
    except Exception as exc:
        await finish(operation, f"internal error: {type(exc).__name__}")
        raise
    else:
        await finish(operation)
    finally:
        await release_lock(database.id, operation.id)
