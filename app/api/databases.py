"""Handlers for /v1/databases."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.api import render
from app.api.credentials import shows_credentials
from app.api.envelope import ok, ok_page
from app.api.inputs import json_object, pagination, query_flag, split_off
from app.api.long_calls import answer
from app.completion import to_completion
from app.domain.databases import CreateDatabase, DatabaseFilter, DatabaseService, UpdateDatabase
from app.domain.upkeep import UPKEEP_FIELDS
from app.errors import ValidationError

CREATE_FIELDS = {
    "name", "type", "version", "description", "resources", "superuser", "source",
    "refresh_schedule", "masking_rules", *UPKEEP_FIELDS,
}  # fmt: skip
UPDATE_FIELDS = {
    "name", "description", "resources", "type", "version", "masking_rules", "refresh_schedule",
    "source", *UPKEEP_FIELDS,
}  # fmt: skip
REFRESH_FIELDS = frozenset({"refresh_schedule", "source"})


def _service(request: Request) -> DatabaseService:
    return request.app.state.services.databases


async def list_databases(request: Request) -> Response:
    params = request.query_params
    filters = DatabaseFilter(
        type=params.get("type"), status=params.get("status"), parent_id=params.get("parent_id")
    )
    page = await _service(request).list(filters, pagination(request))
    credentials = shows_credentials(request, listing=True)
    return ok_page(
        page, [render.database(v, credentials) for v in page.items], "Databases retrieved"
    )


async def create_database(request: Request) -> Response:
    body = await json_object(request, CREATE_FIELDS, required={"name", "type"})
    upkeep = split_off(body, UPKEEP_FIELDS)
    source = body.pop("source", None)
    refresh_schedule = body.pop("refresh_schedule", None)
    create = CreateDatabase(**body, upkeep=upkeep)
    if source is None and refresh_schedule is not None:
        raise ValidationError("refresh_schedule needs a source to refresh from")
    if source is None:
        return await answer(
            request,
            lambda: _service(request).create(create),
            lambda view: ok(render.database(view), "Database created successfully", 201),
        )
    imports = request.app.state.services.imports
    return await answer(
        request,
        lambda: imports.create(create, source, refresh_schedule),
        lambda view: ok(render.database(view), "Database created and imported successfully", 201),
        always_long=True,
    )


async def get_database(request: Request) -> Response:
    view = await _service(request).get(request.path_params["id"])
    return ok(render.database(view, shows_credentials(request)), "Database retrieved")


async def update_database(request: Request) -> Response:
    body = await json_object(request, UPDATE_FIELDS, required=set())
    upkeep = split_off(body, UPKEEP_FIELDS)
    schedule = split_off(body, REFRESH_FIELDS)
    update = UpdateDatabase(**body, fields=frozenset(body), upkeep=upkeep)
    imports = request.app.state.services.imports
    view = await to_completion(imports.update(request.path_params["id"], update, schedule))
    return ok(render.database(view), "Database updated successfully")


async def delete_database(request: Request) -> Response:
    cascade = query_flag(request, "cascade")
    return await answer(
        request,
        lambda: _service(request).delete(request.path_params["id"], cascade),
        lambda _: ok(None, "Database deleted successfully"),
    )


async def start_database(request: Request) -> Response:
    view = await to_completion(_service(request).start(request.path_params["id"]))
    return ok(render.database(view), "Database started successfully")


async def stop_database(request: Request) -> Response:
    view = await to_completion(_service(request).stop(request.path_params["id"]))
    return ok(render.database(view), "Database stopped successfully")


async def refresh_database(request: Request) -> Response:
    body = await json_object(request, {"source"}, required=set(), allow_empty=True)
    service = request.app.state.services.refresh
    return await answer(
        request,
        lambda: service.refresh(request.path_params["id"], body.get("source")),
        lambda view: ok(render.database(view), "Database refreshed successfully"),
        always_long=True,
    )
