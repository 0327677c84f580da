"""Real SQLite metadata for unit tests that drive the domain's rules without a server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tortoise import Tortoise

from app.models import tortoise_config
from app.models.migrations import apply_migrations
from app.models.sealed import configure_sealing


@asynccontextmanager
async def sqlite_metadata(directory: Path) -> AsyncIterator[None]:
    """The metadata in `directory`, migrated as the server migrates it, open for the block."""
    url = f"sqlite://{directory / 'meta.sqlite3'}"
    await apply_migrations(url)
    configure_sealing(directory, None)
    await Tortoise.init(config=tortoise_config(url))
    try:
        yield
    finally:
        await Tortoise.close_connections()
