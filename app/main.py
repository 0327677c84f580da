"""Builds the Starlette application: /v1 REST, /graphql, middleware and the lifespan that
opens and closes the metadata database and reconciles state at start-up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from tortoise import Tortoise

from app.api.auth import ApiKeyMiddleware
from app.api.envelope import EXCEPTION_HANDLERS
from app.api.metrics import metrics
from app.api.observability import ObservabilityMiddleware
from app.api.ratelimit import RateLimitMiddleware
from app.api.routes import ROUTES
from app.config import Settings
from app.domain.services import Services
from app.drivers.storage import claim_pool, remember_kind
from app.models import tortoise_config
from app.models.migrations import apply_migrations
from app.setup.restart import bring_host_back
from schema.build import STATIC_DIR, GraphQLApp

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        applied = await apply_migrations(settings.database_url)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        # uvicorn runs the lifespan in its own task: requests need the global fallback context.
        await Tortoise.init(
            config=tortoise_config(settings.database_url), _enable_global_fallback=True
        )
        await asyncio.to_thread(bring_host_back, settings)
        services = Services.build(settings)
        services.pool.prepare()
        remember_kind(services.pool)
        claim_pool(services.pool, services.install_id)
        services.provisioner.port_claims.prepare()
        app.state.services = services
        try:
            async with (
                services.housekeeping.running(),
                services.controller.running(),
                services.delivery.running(),
            ):
                yield
        finally:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(Tortoise.close_connections(), timeout=10)

    graphql = GraphQLApp()
    return Starlette(
        routes=[
            Mount("/v1", routes=ROUTES),
            Route("/metrics", metrics, methods=["GET"]),
            Mount("/graphql/static", StaticFiles(directory=STATIC_DIR), name="graphql-static"),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
        ],
        middleware=[
            Middleware(ObservabilityMiddleware),
            Middleware(ApiKeyMiddleware),
            Middleware(RateLimitMiddleware),
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=lifespan,
    )
