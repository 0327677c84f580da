"""Handlers for /v1/webhooks."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.api import render
from app.api.envelope import ok, ok_page
from app.api.inputs import json_object, pagination
from app.domain.webhooks import CreateWebhook, UpdateWebhook, WebhookService

CREATE_FIELDS = {"url", "events", "secret"}
UPDATE_FIELDS = {"url", "events", "secret", "active"}


def _service(request: Request) -> WebhookService:
    return request.app.state.services.webhooks


async def list_webhooks(request: Request) -> Response:
    page = await _service(request).list(pagination(request))
    return ok_page(page, [render.webhook(v) for v in page.items], "Webhooks retrieved")


async def create_webhook(request: Request) -> Response:
    body = await json_object(request, CREATE_FIELDS, required={"url", "events"})
    created = await _service(request).create(CreateWebhook(**body))
    data = render.webhook(created.webhook) | {"secret": created.secret}
    return ok(data, "Webhook created successfully; keep the secret, it is not shown again", 201)


async def get_webhook(request: Request) -> Response:
    view = await _service(request).get(request.path_params["id"])
    return ok(render.webhook(view), "Webhook retrieved")


async def update_webhook(request: Request) -> Response:
    body = await json_object(request, UPDATE_FIELDS, required=set())
    update = UpdateWebhook(**body, fields=frozenset(body))
    view = await _service(request).update(request.path_params["id"], update)
    return ok(render.webhook(view), "Webhook updated successfully")


async def delete_webhook(request: Request) -> Response:
    await _service(request).delete(request.path_params["id"])
    return ok(None, "Webhook deleted successfully")


async def send_test_delivery(request: Request) -> Response:
    view = await _service(request).test(request.path_params["id"])
    return ok(render.delivery(view), "Test delivery queued", 201)


async def list_deliveries(request: Request) -> Response:
    page = await _service(request).deliveries(request.path_params["id"], pagination(request))
    return ok_page(page, [render.delivery(v) for v in page.items], "Deliveries retrieved")
