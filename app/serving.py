"""Runs the API under uvicorn, and, when STAGDB_METRICS_ADDRESS is set, a second listener
there that serves only /metrics, without a key, for a scraper on a private address."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route

from app.api.metrics import metrics
from app.config import Settings

SHUTDOWN_GRACE_S = 30  # requests still running after SIGTERM get this long to finish


class _QuietServer(uvicorn.Server):
    """A listener that leaves signals to the API's server, which stops it on the way out."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def serve(app: Starlette, settings: Settings) -> None:
    api = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.api_host,
            port=settings.api_port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        )
    )
    if settings.metrics_address is None:
        api.run()
        return
    host, port = settings.metrics_address
    scrape = Starlette(routes=[Route("/metrics", metrics, methods=["GET"])])
    scrape.state = app.state  # the API's services, once its lifespan has built them
    scraper = _QuietServer(
        uvicorn.Config(
            scrape, host=host, port=port, log_config=None, access_log=False, lifespan="off"
        )
    )
    asyncio.run(_both(api, scraper))


async def _both(api: uvicorn.Server, scraper: uvicorn.Server) -> None:
    listening = asyncio.create_task(scraper.serve())
    try:
        await api.serve()
    finally:
        scraper.should_exit = True
        await listening
