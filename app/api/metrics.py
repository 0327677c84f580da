"""GET /metrics: Prometheus text format (public, like /v1/health)."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from app.metrics import DATABASES, POOL_FREE, POOL_USED, REGISTRY, WARM_ENGINES


async def metrics(request: Request) -> Response:
    monitoring = request.app.state.services.monitoring
    for status, count in (await monitoring.status_counts()).items():
        DATABASES.labels(status).set(count)
    for image, count in monitoring.warm_engines().items():
        WARM_ENGINES.labels(image).set(count)
    used, free = await monitoring.pool_usage()
    POOL_USED.set(used)
    POOL_FREE.set(free)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
