"""Handlers for /v1/projects (admin scope): projects and their quotas."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.api import render
from app.api.envelope import ok, ok_page
from app.api.inputs import json_object, pagination
from app.domain.projects import ProjectService

FIELDS = {"name", "quotas"}


def _service(request: Request) -> ProjectService:
    return request.app.state.services.projects


async def list_projects(request: Request) -> Response:
    page = await _service(request).list(pagination(request))
    return ok_page(page, [render.project(v) for v in page.items], "Projects retrieved")


async def create_project(request: Request) -> Response:
    body = await json_object(request, FIELDS, required={"name"})
    view = await _service(request).create(body["name"], body.get("quotas"))
    return ok(render.project(view), "Project created successfully", 201)


async def get_project(request: Request) -> Response:
    view = await _service(request).get(request.path_params["id"])
    usage = await request.app.state.services.databases.quotas.usage(view.id)
    return ok(render.project(view) | {"usage": usage}, "Project retrieved")


async def update_project(request: Request) -> Response:
    body = await json_object(request, FIELDS, required=set())
    view = await _service(request).update(
        request.path_params["id"], body.get("name"), body.get("quotas")
    )
    return ok(render.project(view), "Project updated successfully")


async def delete_project(request: Request) -> Response:
    await _service(request).delete(request.path_params["id"])
    return ok(None, "Project deleted successfully")
