"""Operations: every mutating action is recorded, holds the database's lock, and ends
succeeded or failed with its error kept."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from app.domain.ids import new_id
from app.errors import ResourceBusyError, StagError
from app.metrics import OPERATION_DURATION
from app.models import Database, Operation

log = logging.getLogger(__name__)

RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
LOCK_POLL_S = 0.02
SHORT_WAIT_S = 15.0


def _process_identity(pid: int) -> str | None:
    """machine:pid:start-time of a live process (the start time tells a reused pid apart)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    started = stat.rpartition(")")[2].split()[19]
    return f"{socket.gethostname()}:{pid}:{started}"


THIS_PROCESS = _process_identity(os.getpid()) or f"{socket.gethostname()}:{os.getpid()}:?"


def owner_is_gone(owner: str | None) -> bool:
    """Whether the process that ran an operation has ended. Processes on other machines
    (API replicas) cannot be checked from here and count as alive."""
    if not owner:
        return True
    machine, _, rest = owner.partition(":")
    if machine != socket.gethostname():
        return False
    pid = rest.partition(":")[0]
    return not pid.isdigit() or _process_identity(int(pid)) != owner


async def begin(kind: str, database_id: str | None) -> Operation:
    return await Operation.create(
        id=new_id("op"), kind=kind, database_id=database_id, owner=THIS_PROCESS, status=RUNNING
    )


async def finish(operation: Operation, error: str | None = None) -> None:
    operation.status = FAILED if error else SUCCEEDED
    operation.error = error
    operation.finished_at = datetime.now(UTC)
    await operation.save(update_fields=["status", "error", "finished_at"])
    OPERATION_DURATION.labels(operation.kind, operation.status).observe(
        (operation.finished_at - operation.created_at).total_seconds()
    )


async def acquire_lock(database_id: str, operation_id: str, name: str, wait_s: float = 0.0) -> None:
    """Take the database's lock with one conditional UPDATE, safe across API replicas;
    with `wait_s`, keep trying that long before answering busy."""
    deadline = time.monotonic() + wait_s
    while True:
        taken = await Database.filter(id=database_id, locked_by__isnull=True).update(
            locked_by=operation_id
        )
        if taken:
            return
        if time.monotonic() >= deadline:
            raise ResourceBusyError(
                f"Database '{name}' is busy with another operation; retry when it has finished"
            )
        await asyncio.sleep(LOCK_POLL_S)


async def release_lock(database_id: str, operation_id: str) -> None:
    await Database.filter(id=database_id, locked_by=operation_id).update(locked_by=None)


@asynccontextmanager
async def locked_operation(
    kind: str, database: Database, wait_s: float = 0.0
) -> AsyncIterator[Operation]:
    """Run one operation on an existing database under its lock, recording the outcome.

    Lifecycle changes fail fast when the database is busy; reads of its data (snapshots,
    branches) pass a short `wait_s` so parallel branch requests queue instead of failing."""
    operation = await begin(kind, database.id)
    try:
        await acquire_lock(database.id, operation.id, database.name, wait_s)
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
