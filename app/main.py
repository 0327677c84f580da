"""Builds the Starlette application: /v1 REST, /graphql, middleware and the lifespan that
opens and closes the metadata database and reconciles state at start-up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from tortoise import Tortoise

from app.api.auditing import AuditMiddleware
from app.api.auth import ApiKeyMiddleware
from app.api.bodylimit import BodyLimitMiddleware
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
from app.drivers.ephemeral import ephemeral_ports, overlap
from app.drivers.storage import claim_pool, remember_kind
from app.models import tortoise_config
from app.models.migrations import apply_migrations
from app.models.sealed import configure_sealing, keep_private, seal_legacy_values
from app.setup.restart import bring_host_back
from schema.build import STATIC_DIR, GraphQLApp
from schema.sessions import OpenSessions

log = logging.getLogger(__name__)

BLOCKING_THREADS = 32


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
    _warn_of_ephemeral_engine_ports(settings)
    return services


def _warn_of_ephemeral_engine_ports(settings: Settings) -> None:
    """Engines listen on published port + offset; in the kernel's range for outgoing
    connections such a port can be in use by any client at the moment an engine starts, which
    fails that create or start ("Address already in use")."""
    low, high = settings.port_range
    offset = settings.engine_port_offset
    clash = overlap((low + offset, high + offset), ephemeral_ports())
    if clash is not None:
        log.warning(
            "engine ports %d-%d (STAGDB_PORT_RANGE + STAGDB_ENGINE_PORT_OFFSET) lie in the "
            "kernel's ephemeral port range (net.ipv4.ip_local_port_range): a create or start "
            "can fail when a client connection holds one; move the range or the offset",
            *clash,
        )


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Docker and pool calls run in threads; ten branches at once each hold one through a
        # clone and a container start, which the default pool (cores + 4) would queue.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=BLOCKING_THREADS, thread_name_prefix="stagdb-io")
        )
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
                    services.provisioner.warm_engines_running(),
                    services.provisioner.spares.running(),
                    services.housekeeping.running(),
                    services.controller.running(),
                    services.delivery.running(),
                    services.space.running(),
                    app.state.sessions.watching(services.keys.still_valid),
                ):
                    await services.databases.keep_engines_warm()
                    try:
                        yield
                    finally:
                        await services.rate_limiter.flush()  # counts batched in memory
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
            # After the key check (refusals are audited with their key), before anything reads.
            Middleware(BodyLimitMiddleware, max_bytes=settings.serving.max_body_bytes),
            Middleware(RateLimitMiddleware),
            Middleware(IdempotencyMiddleware),
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=lifespan,
    )
    application.state.sessions = OpenSessions()
    return application
