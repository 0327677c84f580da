"""Handlers for /v1/keys (admin scope): list, create (the key is shown once), revoke."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from app.api import render
from app.api.envelope import ok, ok_page
from app.api.inputs import json_object, pagination
from app.domain.durations import parse_duration
from app.domain.keys import ApiKeyService, NewKey
from app.domain.upkeep import parse_moment
from app.errors import ValidationError

CREATE_FIELDS = {"name", "scope", "project_id", "expires_at", "ttl"}


def _service(request: Request) -> ApiKeyService:
    return request.app.state.services.keys


async def list_keys(request: Request) -> Response:
    project = request.query_params.get("project_id")
    page = await _service(request).list(project, pagination(request))
    return ok_page(page, [render.key(v) for v in page.items], "API keys retrieved")


async def create_key(request: Request) -> Response:
    body = await json_object(request, CREATE_FIELDS, required={"name"})
    if not isinstance(body["name"], str):
        raise ValidationError("name must be a string")
    new = NewKey(
        name=body["name"],
        scope=body.get("scope", "write"),
        project_id=_project(body.get("project_id")),
        expires_at=_expiry(body),
    )
    created = await _service(request).create(new)
    data = render.key(created.view) | {"key": created.key}
    return ok(data, "API key created; keep it, it is not shown again", 201)


async def get_key(request: Request) -> Response:
    view = await _service(request).get(request.path_params["id"])
    return ok(render.key(view), "API key retrieved")


async def revoke_key(request: Request) -> Response:
    view = await _service(request).revoke(request.path_params["id"])
    await request.app.state.sessions.close_for(view.id)
    return ok(render.key(view), "API key revoked")


def _project(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationError("project_id must be a string such as 'prj-…'")
    return value


def _expiry(body: dict[str, object]) -> datetime | None:
    now = datetime.now(UTC)
    if body.get("ttl") is not None and body.get("expires_at") is not None:
        raise ValidationError("Give ttl or expires_at, not both")
    if body.get("ttl") is not None:
        return now + timedelta(seconds=parse_duration(body["ttl"], "ttl"))
    return parse_moment(body.get("expires_at"), now)
