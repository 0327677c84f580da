"""Handlers for snapshots: /v1/databases/{id}/snapshots and /v1/snapshots/{id}."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.api import render
from app.api.envelope import ok, ok_page
from app.api.inputs import json_object, pagination, query_flag
from app.completion import to_completion
from app.domain.snapshots import CreateSnapshot, SnapshotService

CREATE_FIELDS = {"name", "description"}


def _service(request: Request) -> SnapshotService:
    return request.app.state.services.snapshots


async def list_snapshots(request: Request) -> Response:
    page = await _service(request).list(request.path_params["id"], pagination(request))
    return ok_page(page, [render.snapshot(v) for v in page.items], "Snapshots retrieved")


async def create_snapshot(request: Request) -> Response:
    body = await json_object(request, CREATE_FIELDS, required={"name"})
    work = _service(request).create(request.path_params["id"], CreateSnapshot(**body))
    return ok(render.snapshot(await to_completion(work)), "Snapshot created successfully", 201)


async def get_snapshot(request: Request) -> Response:
    view = await _service(request).get(request.path_params["id"])
    return ok(render.snapshot(view), "Snapshot retrieved")


async def delete_snapshot(request: Request) -> Response:
    cascade = query_flag(request, "cascade")
    await to_completion(_service(request).delete(request.path_params["id"], cascade))
    return ok(None, "Snapshot deleted successfully")
