"""Handler for /v1/health (no API key needed)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.api import render
from app.api.envelope import EnvelopeResponse


async def health(request: Request) -> Response:
    report = await request.app.state.services.health.check()
    body = {
        "success": report.healthy,
        "data": render.health(report),
        "message": "All systems operational" if report.healthy else "A dependency is down",
    }
    if not report.healthy:
        body["error"] = {"code": "INSUFFICIENT_RESOURCES", "message": "A dependency is down"}
    return EnvelopeResponse(body, 200 if report.healthy else 503)
