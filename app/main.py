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

from app.api.auditing import AuditMiddleware
from app.api.auth import ApiKeyMiddleware
from app.api.envelope import EXCEPTION_HANDLERS
from app.api.idempotency import IdempotencyMiddleware
from app.api.metrics import metrics
from app.api.observability import ObservabilityMiddleware
from app.api.ratelimit import RateLimitMiddleware
from app.api.reference import STATIC_DIR as DOCS_STATIC_DIR
from app.api.reference import docs
from app.api.routes import ROUTES
from app.config import Settings
from app.domain.services import Services
from app.domain.tenancy import SYSTEM, acting_as
from app.drivers.storage import claim_pool, remember_kind
from app.models import tortoise_config
from app.models.migrations import apply_migrations
from app.models.sealed import configure_sealing, keep_private, seal_legacy_values
from app.setup.restart import bring_host_back
from schema.build import STATIC_DIR, GraphQLApp
from schema.sessions import OpenSessions

log = logging.getLogger(__name__)


async def _prepare(settings: Settings) -> Services:
    """The host brought back, secrets checked, the services built on an owned pool."""
    await asyncio.to_thread(bring_host_back, settings)
    await seal_legacy_values()
    services = Services.build(settings)
    services.pool.prepare()
    remember_kind(services.pool)
    claim_pool(services.pool, services.install_id)
    if settings.disk_quota_bytes is not None and not services.pool.supports_quotas:
        log.error(
            "STAGDB_DISK_QUOTA is set but the %s backend has no per-volume quotas: "
            "it is not enforced (use zfs or btrfs)",
            services.pool.kind,
        )
    services.provisioner.port_claims.prepare()
    return services


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        configure_sealing(settings.data_dir, settings.secret_key)
        applied = await apply_migrations(settings.database_url)
        keep_private(settings)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
        # uvicorn runs the lifespan in its own task: requests need the global fallback context.
        await Tortoise.init(
            config=tortoise_config(settings.database_url), _enable_global_fallback=True
        )
        try:  # a failed start-up must close the metadata connection too, or exit hangs
            with acting_as(SYSTEM):  # the server's own work; requests act as their key
                app.state.services = services = await _prepare(settings)
                async with (
                    services.housekeeping.running(),
                    services.controller.running(),
                    services.delivery.running(),
                    app.state.sessions.watching(services.keys.still_valid),
                ):
                    yield
        finally:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(Tortoise.close_connections(), timeout=10)

    graphql = GraphQLApp()
    application = Starlette(
        routes=[
            Mount("/v1", routes=ROUTES),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/docs", docs, methods=["GET"]),
            Mount("/docs/static", StaticFiles(directory=DOCS_STATIC_DIR), name="docs-static"),
            Mount("/graphql/static", StaticFiles(directory=STATIC_DIR), name="graphql-static"),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
        ],
        middleware=[
            Middleware(ObservabilityMiddleware),
            Middleware(AuditMiddleware),
            Middleware(ApiKeyMiddleware),
            Middleware(RateLimitMiddleware),
            Middleware(IdempotencyMiddleware),
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=lifespan,
    )
    application.state.sessions = OpenSessions()
    return application
