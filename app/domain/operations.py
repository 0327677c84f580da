"""Operations: every mutating action is recorded, holds the database's lock under a lease,
and ends succeeded or failed with its error kept.

A lease is renewed by the process running the operation; once it has passed (the process
died, here or on another machine) the lock is free for the taking and the operation counts
as abandoned. Owners are unique per process, never a host name shared by replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise.exceptions import DoesNotExist
from tortoise.expressions import Q

from app.domain.ids import new_id
from app.domain.tenancy import current
from app.errors import NotFoundError, ResourceBusyError, StagError
from app.metrics import OPERATION_DURATION
from app.models import Database, Operation

log = logging.getLogger(__name__)

RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
LOCK_POLL_S = 0.02
SHORT_WAIT_S = 15.0
LEASE_S = 30.0  # how long an operation's claim lasts without renewal


def process_identity(pid: int) -> str | None:
    """machine:pid:start-time of a live process (the start time tells a reused pid apart)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    started = stat.rpartition(")")[2].split()[19]
    return f"{socket.gethostname()}:{pid}:{started}"


def _owner_id() -> str:
    process = process_identity(os.getpid()) or f"{socket.gethostname()}:{os.getpid()}:?"
    return f"{process}:{secrets.token_hex(4)}"


THIS_PROCESS = _owner_id()


def owner_is_gone(owner: str | None) -> bool:
    """Whether the process that ran an operation has certainly ended: one on this machine
    whose pid and start time no longer match. Elsewhere only its lease can tell."""
    if not owner:
        return True
    machine, _, rest = owner.partition(":")
    if machine != socket.gethostname():
        return False
    pid, _, tail = rest.partition(":")
    started = tail.partition(":")[0]
    return not pid.isdigit() or process_identity(int(pid)) != f"{machine}:{pid}:{started}"


def lease_deadline(lease_s: float = LEASE_S) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=lease_s)


def is_abandoned(operation: Operation, now: datetime | None = None) -> bool:
    """An operation still marked running whose process will never finish it."""
    if operation.status != RUNNING:
        return False
    if operation.owner == THIS_PROCESS:
        return False
    if owner_is_gone(operation.owner):
        return True
    expiry = operation.lease_expires_at
    return expiry is None or expiry < (now or datetime.now(UTC))


# Set by a caller that hands long work over (see handover.py): the first operation the work
# begins resolves it, so the caller can answer with that operation while the work goes on.
TICKET: ContextVar[asyncio.Future[Operation] | None] = ContextVar("operation_ticket", default=None)


async def begin(
    kind: str,
    database_id: str | None,
    options: dict[str, object] | None = None,
    project_id: str | None = None,
) -> Operation:
    """A running operation, recorded with the project it is about (its database's; else the
    caller's), so that only that project sees it once its database is gone."""
    project_id = project_id or str((options or {}).get("project_id") or current().project_id)
    operation = await Operation.create(
        id=new_id("op"),
        kind=kind,
        database_id=database_id,
        owner=THIS_PROCESS,
        status=RUNNING,
        lease_expires_at=lease_deadline(),
        options={**(options or {}), "project_id": project_id},
    )
    ticket = TICKET.get()
    if ticket is not None and not ticket.done():
        ticket.set_result(operation)
    return operation


async def report_progress(operation: Operation, progress: dict[str, object]) -> None:
    """Record how far `operation` has come (phase, bytes and objects done of their totals)."""
    operation.progress = progress
    await Operation.filter(id=operation.id).update(progress=progress)


async def finish(operation: Operation, error: str | None = None) -> None:
    operation.status = FAILED if error else SUCCEEDED
    operation.error = error
    operation.finished_at = datetime.now(UTC)
    await operation.save(update_fields=["status", "error", "finished_at"])
    OPERATION_DURATION.labels(operation.kind, operation.status).observe(
        (operation.finished_at - operation.created_at).total_seconds()
    )


# Work nobody asked for just now (timed jobs): a user's call waits for it rather than fail.
BACKGROUND_KINDS = frozenset({"snapshot.scheduled", "database.idle_stop"})


async def _held_by_background(database_id: str) -> bool:
    holder = await Database.filter(id=database_id).values_list("locked_by", flat=True)
    if not holder or holder[0] is None:
        return True  # freed meanwhile: try again
    kind = await Operation.filter(id=holder[0]).values_list("kind", flat=True)
    return bool(kind) and kind[0] in BACKGROUND_KINDS


def unlocked() -> Q:
    """Databases no operation holds: never locked, released, or held under a lease that has
    passed (its process is gone)."""
    now = datetime.now(UTC)
    return Q(locked_by__isnull=True) | Q(lock_expires_at__isnull=True) | Q(lock_expires_at__lt=now)


async def acquire_lock(database_id: str, operation_id: str, name: str, wait_s: float = 0.0) -> None:
    """Take the database's lock with one conditional UPDATE, safe across API replicas: free,
    or held under a lease that has passed. With `wait_s`, keep trying that long; while the
    lock is held by background work (a scheduled snapshot, an idle stop) keep trying up to
    SHORT_WAIT_S whatever `wait_s` says."""
    started = time.monotonic()
    deadline = started + wait_s
    while True:
        taken = await Database.filter(Q(id=database_id) & unlocked()).update(
            locked_by=operation_id, lock_expires_at=lease_deadline()
        )
        if taken:
            return
        now_s = time.monotonic()
        waits_for_background = now_s - started < SHORT_WAIT_S and await _held_by_background(
            database_id
        )
        if now_s >= deadline and not waits_for_background:
            raise ResourceBusyError(
                f"Database '{name}' is busy with another operation; retry when it has finished"
            )
        await asyncio.sleep(LOCK_POLL_S)


async def release_lock(database_id: str, operation_id: str) -> None:
    await Database.filter(id=database_id, locked_by=operation_id).update(
        locked_by=None, lock_expires_at=None
    )


async def _renew(operation: Operation, database_id: str | None, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        deadline = lease_deadline()
        try:
            await Operation.filter(id=operation.id).update(lease_expires_at=deadline)
            if database_id is not None:
                await Database.filter(id=database_id, locked_by=operation.id).update(
                    lock_expires_at=deadline
                )
        except Exception:  # the metadata database hiccuped: try again at the next beat
            log.warning("could not renew the lease of %s", operation.id, exc_info=True)


@asynccontextmanager
async def leased(operation: Operation, database_id: str | None) -> AsyncIterator[None]:
    """Keep `operation`'s lease (and its database lock) renewed while the block runs."""
    renewal = asyncio.create_task(_renew(operation, database_id, LEASE_S / 3))
    try:
        yield
    finally:
        renewal.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewal


@asynccontextmanager
async def locked_operation(
    kind: str, database: Database, wait_s: float = 0.0
) -> AsyncIterator[Operation]:
    """Run one operation on an existing database under its lock, recording the outcome.

    Once the lock is held the database's row is read again, so the work sees what the
    operation before it left (a reset that just finished, a rename). Lifecycle changes fail
    fast when the database is busy; reads of its data (snapshots, branches) pass a short
    `wait_s` so parallel branch requests queue instead of failing."""
    operation = await begin(kind, database.id, project_id=database.project_id)
    try:
        await acquire_lock(database.id, operation.id, database.name, wait_s)
    except ResourceBusyError as exc:
        await finish(operation, exc.message)
        raise
    try:
        async with leased(operation, database.id):
            try:
                await database.refresh_from_db()
            except DoesNotExist:
                raise NotFoundError(f"Database '{database.name}' not found") from None
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
