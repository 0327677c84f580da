"""Handlers for /v1/operations."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.api import render
from app.api.envelope import ok, ok_page
from app.api.inputs import pagination
from app.domain.operation_log import OperationLog


def _service(request: Request) -> OperationLog:
    return request.app.state.services.operations


async def list_operations(request: Request) -> Response:
    database = request.query_params.get("database_id")
    page = await _service(request).list(database, pagination(request))
    return ok_page(page, [render.operation(v) for v in page.items], "Operations retrieved")


async def get_operation(request: Request) -> Response:
    view = await _service(request).get(request.path_params["id"])
    return ok(render.operation(view), "Operation retrieved")
