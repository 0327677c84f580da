"""Handlers for /v1/databases/{id}/stats and /logs."""

from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import Response

from app.api.envelope import ok
from app.domain.monitoring import MonitoringService


def _service(request: Request) -> MonitoringService:
    return request.app.state.services.monitoring


async def database_stats(request: Request) -> Response:
    stats = await _service(request).stats(request.path_params["id"])
    return ok(asdict(stats), "Statistics retrieved")


async def database_logs(request: Request) -> Response:
    params = request.query_params
    lines = await _service(request).logs(
        request.path_params["id"], params.get("tail"), params.get("since")
    )
    return ok({"lines": [asdict(line) for line in lines]}, "Logs retrieved")
