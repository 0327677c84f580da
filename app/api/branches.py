"""Handlers for branches and reset."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.api import render
from app.api.credentials import shows_credentials
from app.api.envelope import ok, ok_page
from app.api.inputs import json_object, pagination, split_off
from app.api.long_calls import answer
from app.domain.branches import BranchService, CreateBranch
from app.domain.upkeep import UPKEEP_FIELDS

CREATE_FIELDS = {"name", "description", "mask", *UPKEEP_FIELDS}


def _service(request: Request) -> BranchService:
    return request.app.state.services.branches


async def list_branches(request: Request) -> Response:
    page = await _service(request).list(request.path_params["id"], pagination(request))
    credentials = shows_credentials(request, listing=True)
    return ok_page(
        page, [render.database(v, credentials) for v in page.items], "Branches retrieved"
    )


async def branch_database(request: Request) -> Response:
    body = await json_object(request, CREATE_FIELDS, required={"name"})
    upkeep = split_off(body, UPKEEP_FIELDS)
    branch = CreateBranch(**body, upkeep=upkeep)
    return await answer(
        request,
        lambda: _service(request).from_database(request.path_params["id"], branch),
        lambda view: ok(render.database(view), "Branch created successfully", 201),
    )


async def branch_snapshot(request: Request) -> Response:
    body = await json_object(request, CREATE_FIELDS, required={"name"})
    upkeep = split_off(body, UPKEEP_FIELDS)
    branch = CreateBranch(**body, upkeep=upkeep)
    return await answer(
        request,
        lambda: _service(request).from_snapshot(request.path_params["id"], branch),
        lambda view: ok(render.database(view), "Branch created successfully", 201),
    )


async def reset_database(request: Request) -> Response:
    body = await json_object(request, {"snapshot_id"}, required=set(), allow_empty=True)
    return await answer(
        request,
        lambda: _service(request).reset(request.path_params["id"], body.get("snapshot_id")),
        lambda view: ok(render.database(view), "Database reset successfully"),
    )
