"""OperationLog: reads of operations, each seen only by a caller who can see its database."""

from __future__ import annotations

from app.domain import tenancy
from app.domain.databases import DatabaseService
from app.domain.ids import looks_like_id
from app.domain.pagination import Page, PageRequest
from app.domain.views import OperationView, ProgressView
from app.errors import NotFoundError, ValidationError
from app.models import Database, Operation

PROGRESS_FIELDS = ("bytes_done", "bytes_total", "objects_done", "objects_total")


class OperationLog:
    def __init__(self, databases: DatabaseService) -> None:
        self.databases = databases

    async def get(self, operation_id: str) -> OperationView:
        row = None
        if looks_like_id("op", operation_id):
            row = await Operation.get_or_none(id=operation_id)
        if row is None or not await self._visible(row):
            raise NotFoundError(f"Operation '{operation_id}' not found")
        return view(row)

    async def list(self, database_ref: str | None, page: PageRequest) -> Page[OperationView]:
        if not database_ref:
            raise ValidationError("database_id is required: operations are listed per database")
        database = await self.databases.find(database_ref)
        query = Operation.filter(database_id=database.id)
        total = await query.count()
        rows = await query.order_by("-created_at", "-id").offset(page.offset).limit(page.limit)
        return Page(items=[view(row) for row in rows], request=page, total=total)

    async def _visible(self, row: Operation) -> bool:
        """Through the database lookup, so whatever scoping it applies applies here; the
        operations of a database that is gone (a delete, a failed creation) stay readable
        by id, to the project they were about, so their callers can learn how they ended."""
        if row.database_id is None or not await Database.exists(id=row.database_id):
            return _of_callers_project(row)  # not made yet, or gone
        try:
            await self.databases.find(row.database_id)
        except NotFoundError:
            # Hidden from this caller, or gone just now (a rollback, a delete).
            gone = not await Database.exists(id=row.database_id)
            return gone and _of_callers_project(row)
        return True


def _of_callers_project(row: Operation) -> bool:
    access = tenancy.current()
    return access.sees_every_project or (row.options or {}).get("project_id") == (access.project_id)


def view(row: Operation) -> OperationView:
    options = row.options or {}
    progress = row.progress
    mask = options.get("mask")
    source = options.get("source")
    return OperationView(
        id=row.id,
        kind=row.kind,
        status=row.status,
        database_id=row.database_id,
        progress=_progress(progress) if progress else None,
        error=row.error,
        source=source if isinstance(source, str) else None,
        mask=mask if isinstance(mask, bool) else None,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def _progress(raw: dict[str, object]) -> ProgressView:
    figures = {name: raw.get(name) for name in PROGRESS_FIELDS}
    return ProgressView(
        phase=str(raw.get("phase", "")),
        **{name: value if isinstance(value, int) else None for name, value in figures.items()},
    )
