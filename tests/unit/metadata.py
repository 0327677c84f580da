"""Real SQLite metadata for unit tests that drive the domain's rules without a server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from tortoise import Tortoise

from app.models import tortoise_config
from app.models.migrations import apply_migrations
from app.models.sealed import configure_sealing

EXECUTE_METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_script")


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


@contextmanager
def recording_statements(into: list[str]) -> Iterator[None]:
    """Append each SQL statement the metadata connection runs during the block to `into`."""
    connection = Tortoise.get_connection("default")
    originals = {name: getattr(connection, name) for name in EXECUTE_METHODS}

    def recorder(original: Any) -> Any:
        def recording(query: str, *args: object, **kwargs: object) -> Any:
            into.append(query)
            return original(query, *args, **kwargs)

        return recording

    for name, original in originals.items():
        setattr(connection, name, recorder(original))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(connection, name, original)
