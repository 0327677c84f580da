"""Applies the aerich migrations shipped in `migrations/` to the metadata database."""

from __future__ import annotations

from pathlib import Path

from aerich import Command

from app.models import tortoise_config

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


async def apply_migrations(database_url: str) -> list[str]:
    """Bring the schema up to date; returns the migration files that were applied now."""
    async with Command(
        tortoise_config(database_url), app="models", location=str(MIGRATIONS_DIR)
    ) as command:
        await command.init()
        return await command.upgrade(run_in_transaction=True)
