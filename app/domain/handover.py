"""Long work answered by its operation: the work runs on its own, the caller learns the
operation it began (to follow at /v1/operations/{id}) or waits for it up to a bound, and its
end is announced as `operation.succeeded` or `operation.failed`.

A request that fails before any operation begins (bad input, a name taken, an unreachable
source) fails as the call itself, so callers get their validation errors at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from app.domain import operations
from app.domain.events import DatabaseEvent, EventLog
from app.domain.tenancy import DEFAULT_PROJECT_ID
from app.models import Database, Operation

log = logging.getLogger(__name__)
T = TypeVar("T")

# Work handed over keeps running after its request has been answered: hold its tasks here.
_RUNNING: set[asyncio.Task[object]] = set()


@dataclass(frozen=True)
class Handed(Generic[T]):
    """What a caller gets back: the work's result when it finished in time, else only the
    operation that follows it."""

    operation_id: str | None
    finished: bool
    result: T | None = None


@dataclass(frozen=True)
class _Subject:
    """The database an operation is about, as it was when the operation began."""

    name: str
    type: str
    parent_id: str | None
    project_id: str


class Handover:
    def __init__(self, event_log: EventLog) -> None:
        self.event_log = event_log

    async def run(self, work: Callable[[], Awaitable[T]], wait_s: float | None) -> Handed[T]:
        """Start `work`; answer once it finished or, after its first operation began, once
        `wait_s` has passed (None: wait for the end; 0: answer at once)."""
        loop = asyncio.get_running_loop()
        ticket: asyncio.Future[Operation] = loop.create_future()
        token = operations.TICKET.set(ticket)
        try:
            task: asyncio.Task[T] = asyncio.ensure_future(work())
        finally:
            operations.TICKET.reset(token)
        _RUNNING.add(task)  # type: ignore[arg-type]
        task.add_done_callback(_RUNNING.discard)  # type: ignore[arg-type]
        first: set[asyncio.Future[Any]] = {ticket, task}
        await asyncio.wait(first, return_when=asyncio.FIRST_COMPLETED)
        if not ticket.done():
            ticket.cancel()
            return Handed(None, True, task.result())
        operation = ticket.result()
        subject = await _subject_of(operation)
        self._announce_when_done(task, operation, subject)
        if wait_s is None or wait_s > 0:
            done, _ = await asyncio.wait({task}, timeout=wait_s)
            if done:
                return Handed(operation.id, True, task.result())
        return Handed(operation.id, False)

    def _announce_when_done(
        self, task: asyncio.Task[T], operation: Operation, subject: _Subject | None
    ) -> None:
        def done(_: asyncio.Task[T]) -> None:
            announcing = asyncio.ensure_future(self._announce(operation.id, subject))
            _RUNNING.add(announcing)
            announcing.add_done_callback(_RUNNING.discard)

        task.add_done_callback(done)

    async def _announce(self, operation_id: str, subject: _Subject | None) -> None:
        operation = await Operation.get_or_none(id=operation_id)
        if operation is None or operation.status == operations.RUNNING:
            return
        row = await Database.get_or_none(id=operation.database_id)
        subject = _subject_of_row(row) if row else subject or _subject_of_options(operation)
        succeeded = operation.status == operations.SUCCEEDED
        status = row.status if row else ("deleted" if succeeded else "failed")
        event = DatabaseEvent(
            event="operation.succeeded" if succeeded else "operation.failed",
            database_id=operation.database_id or "",
            name=subject.name,
            type=subject.type,
            status=status,
            parent_id=subject.parent_id,
            snapshot_id=row.snapshot_id if row else None,
            reason=operation.error,
            operation_id=operation.id,
            operation_kind=operation.kind,
            project_id=subject.project_id,
        )
        try:
            async with self.event_log.change() as change:
                change.announce(event)
        except Exception:
            log.exception("could not announce the end of %s", operation_id)


async def _subject_of(operation: Operation) -> _Subject | None:
    row = await Database.get_or_none(id=operation.database_id)
    return _subject_of_row(row) if row else None


def _subject_of_row(row: Database) -> _Subject:
    return _Subject(row.name, row.engine, row.parent_id, row.project_id)


def _subject_of_options(operation: Operation) -> _Subject:
    """A database that is gone and was never seen: the name and type its creation asked for."""
    options = operation.options or {}
    parent = options.get("parent_id")
    return _Subject(
        str(options.get("name", "")),
        str(options.get("type", "")),
        parent if isinstance(parent, str) else None,
        str(options.get("project_id", DEFAULT_PROJECT_ID)),
    )
