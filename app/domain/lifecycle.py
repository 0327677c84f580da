"""Database states, the transitions allowed between them and the event each one emits.

Status changes only here: a service or the controller names the cause of a change, this module
checks it is allowed from the current state and answers with the event to announce. Deleting
and a failed creation end with the row gone, so they have a target state of `GONE`.
"""

from __future__ import annotations

from dataclasses import dataclass

CREATING = "creating"
RUNNING = "running"
STOPPED = "stopped"
DELETING = "deleting"
FAILED = "failed"
GONE = "gone"  # not a stored status: the row is removed

STATUSES = (CREATING, RUNNING, STOPPED, DELETING, FAILED)

CAN_START = (STOPPED, FAILED)
CAN_STOP = (RUNNING, FAILED)
CAN_RESET = (RUNNING, STOPPED, FAILED)
CAN_DELETE = (RUNNING, STOPPED, FAILED)
CAN_CHANGE = (RUNNING, STOPPED, FAILED)  # update, snapshot, branch


class IllegalTransition(Exception):
    """A programming error: code asked for a change the lifecycle does not allow."""


@dataclass(frozen=True)
class Transition:
    source: str
    target: str | None  # None: the status stays as it is
    cause: str
    event: str | None  # None: nothing to announce (an intermediate step)


def _each(
    sources: tuple[str, ...], target: str | None, cause: str, event: str | None
) -> list[Transition]:
    return [Transition(source, target, cause, event) for source in sources]


TRANSITIONS: tuple[Transition, ...] = (
    Transition(CREATING, RUNNING, "created", "database.created"),
    Transition(CREATING, RUNNING, "branched", "branch.created"),
    Transition(CREATING, GONE, "creation failed", "database.failed"),
    *_each(CAN_START, RUNNING, "started", "database.started"),
    *_each(CAN_STOP, STOPPED, "stopped", "database.stopped"),
    *_each(CAN_START + (RUNNING,), FAILED, "start failed", "database.failed"),
    *_each(CAN_RESET, RUNNING, "reset", "branch.reset"),
    *_each(CAN_RESET, FAILED, "reset failed", "database.failed"),
    *_each(CAN_RESET, RUNNING, "refreshed", "database.refreshed"),
    *_each(CAN_RESET, FAILED, "refresh failed", "database.failed"),
    *_each(CAN_CHANGE, None, "updated", "database.updated"),
    # A promoted branch's data replaces a database's: it runs as before (a failed one runs).
    *_each((RUNNING, STOPPED), None, "promoted", "branch.promoted"),
    Transition(FAILED, RUNNING, "promoted", "branch.promoted"),
    *_each(CAN_DELETE + (DELETING,), DELETING, "deleting", None),
    # Upkeep: expiry deletes (announced before it goes), idling stops, a connection wakes.
    *_each(CAN_DELETE, DELETING, "expiring", "database.expired"),
    Transition(RUNNING, STOPPED, "stopped idle", "database.stopped"),
    Transition(STOPPED, RUNNING, "woken by connection", "database.started"),
    Transition(DELETING, GONE, "deleted", "database.deleted"),
    Transition(DELETING, GONE, "branch deleted", "branch.deleted"),
    # The controller: what happened behind StagDB's back, and what it did about it.
    *_each((RUNNING, FAILED), RUNNING, "recovered", "database.recovered"),
    *_each((RUNNING,), FAILED, "lost", "database.failed"),
    *_each((CREATING, DELETING), FAILED, "unsettled", "database.failed"),
)

_BY_KEY = {(t.source, t.cause): t for t in TRANSITIONS}


def transition(source: str, cause: str) -> Transition:
    """The allowed transition for `cause` from `source`; raises IllegalTransition otherwise."""
    try:
        return _BY_KEY[(source, cause)]
    except KeyError:
        raise IllegalTransition(f"a database that is {source} cannot be {cause}") from None


def target_of(source: str, cause: str) -> str:
    """The status after `cause` (the same status for changes that keep it)."""
    target = transition(source, cause).target
    return source if target is None else target


def desired_after(cause: str) -> str | None:
    """What the user now wants the database to be, when `cause` changes that."""
    if cause in ("created", "branched", "started", "reset", "woken by connection"):
        return RUNNING
    if cause in ("stopped", "stopped idle"):
        return STOPPED
    return None


def events() -> set[str]:
    return {t.event for t in TRANSITIONS if t.event is not None}
