"""Who is asking: the project and scope of the key behind the current request, and the rule
that a key sees only its own project's things (admin keys see every project).

The API layer sets the access once per request (`acting_as`); domain queries narrow
themselves with `visible`. Work the server does on its own (the controller, timed jobs, the
webhook worker) runs as `SYSTEM`, which sees everything. Code that runs with no access set
fails instead of guessing: a missed path is an error, never a view of every project.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from app.errors import ForbiddenError, ServerError
from app.models import DEFAULT_PROJECT_ID

M = TypeVar("M", bound=Model)


class Scope(enum.StrEnum):
    READ = "read"  # GET only
    WRITE = "write"  # databases, snapshots, branches and webhooks of its project
    ADMIN = "admin"  # projects, keys, quotas, the audit trail, every project

    @property
    def rank(self) -> int:
        return list(Scope).index(self)

    def allows(self, needed: Scope) -> bool:
        return self.rank >= needed.rank


@dataclass(frozen=True)
class Access:
    project_id: str  # where what this caller makes goes
    scope: Scope
    key_id: str | None = None

    @property
    def sees_every_project(self) -> bool:
        return self.scope is Scope.ADMIN

    def can_see(self, project_id: str) -> bool:
        return self.sees_every_project or project_id == self.project_id

    def require(self, needed: Scope, action: str) -> None:
        if not self.scope.allows(needed):
            raise ForbiddenError(
                f"This API key's scope is '{self.scope}'; {action} needs '{needed}'"
            )


SYSTEM = Access(project_id=DEFAULT_PROJECT_ID, scope=Scope.ADMIN)
_current: ContextVar[Access] = ContextVar("stagdb_access")


def current() -> Access:
    try:
        return _current.get()
    except LookupError:
        raise ServerError("no caller is set for this work") from None


@contextmanager
def acting_as(access: Access) -> Iterator[Access]:
    token = _current.set(access)
    try:
        yield access
    finally:
        _current.reset(token)


def visible(query: QuerySet[M], field: str = "project_id") -> QuerySet[M]:
    """`query` narrowed to the rows the current caller may see."""
    access = current()
    if access.sees_every_project:
        return query
    return query.filter(**{field: access.project_id})
