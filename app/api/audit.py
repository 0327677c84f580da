"""Handler for GET /v1/audit (admin scope): the audit trail, newest first, filterable."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from app.api import render
from app.api.envelope import ok_page
from app.api.inputs import pagination
from app.domain.audit import AuditFilter
from app.errors import ValidationError

FILTERS = ("project_id", "key_id", "action", "target", "result")


async def list_audit(request: Request) -> Response:
    params = request.query_params
    filters = AuditFilter(
        **{name: params.get(name) for name in FILTERS},
        since=_time(params.get("since"), "since"),
        until=_time(params.get("until"), "until"),
    )
    page = await request.app.state.services.audit.list(filters, pagination(request))
    return ok_page(page, [render.audit(v) for v in page.items], "Audit entries retrieved")


def _time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"{name} must be an RFC 3339 time such as 2026-12-01T12:00:00Z"
        ) from None
    if moment.tzinfo is None:
        raise ValidationError(f"{name} must carry a time zone (Z or an offset)")
    return moment
