"""Handler for comparing a database's schema with its parent's, a database's or a snapshot's."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.api import render
from app.api.envelope import ok


async def schema_diff(request: Request) -> Response:
    service = request.app.state.services.schema_diffs
    view = await service.diff(request.path_params["id"], request.query_params.get("against"))
    return ok(render.schema_diff(view), "Schema diff computed")
