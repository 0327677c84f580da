"""The audit trail: every mutating call (who, which project, what, on what, how it ended),
readable by admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.pagination import Page, PageRequest
from app.errors import ValidationError
from app.models import AuditEntry

MAX_FIELD = {"action": 64, "target": 255, "request_id": 64, "result": 32}


@dataclass(frozen=True)
class AuditRecord:
    key_id: str | None
    project_id: str | None
    action: str
    target: str | None
    status_code: int
    result: str  # "ok" or the error code
    request_id: str | None


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    key_id: str | None
    project_id: str | None
    action: str
    target: str | None
    status_code: int
    result: str
    request_id: str | None


@dataclass(frozen=True)
class AuditFilter:
    project_id: str | None = None
    key_id: str | None = None
    action: str | None = None
    target: str | None = None
    result: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditTrail:
    async def record(self, entry: AuditRecord) -> None:
        values = {
            name: (value[: MAX_FIELD[name]] if name in MAX_FIELD and value else value)
            for name, value in vars(entry).items()
        }
        await AuditEntry.create(**values)

    async def list(self, filters: AuditFilter, page: PageRequest) -> Page[AuditView]:
        if filters.since and filters.until and filters.since > filters.until:
            raise ValidationError("since must be before until")
        query = AuditEntry.all()
        for name in ("project_id", "key_id", "action", "target", "result"):
            value = getattr(filters, name)
            if value is not None:
                query = query.filter(**{name: value})
        if filters.since is not None:
            query = query.filter(at__gte=filters.since)
        if filters.until is not None:
            query = query.filter(at__lt=filters.until)
        total = await query.count()
        rows = await query.order_by("-id").offset(page.offset).limit(page.limit)
        return Page(items=[view(row) for row in rows], request=page, total=total)


def view(row: AuditEntry) -> AuditView:
    return AuditView(
        id=row.id,
        at=row.at,
        key_id=row.key_id,
        project_id=row.project_id,
        action=row.action,
        target=row.target,
        status_code=row.status_code,
        result=row.result,
        request_id=row.request_id,
    )
