"""Rewrite the newest migration's MODELS_STATE from the models as they are now.

For when branches that each added a migration are merged: every migration's SQL is right, but
only the newest file's recorded model state is what `aerich migrate` compares the models
with, and it must then include the other branches' changes too.
Usage: .venv/bin/python scripts/refresh-migration-state.py
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from aerich.utils import get_formatted_compressed_data, get_models_describe
from tortoise import Tortoise

from app.models import tortoise_config

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations" / "models"


async def current_state() -> str:
    await Tortoise.init(config=tortoise_config("sqlite://:memory:"))
    try:
        return get_formatted_compressed_data(get_models_describe("models"))
    finally:
        await Tortoise.close_connections()


def main() -> None:
    newest = max(MIGRATIONS.glob("[0-9]*_*.py"), key=lambda path: int(path.name.split("_")[0]))
    text = newest.read_text()
    state = asyncio.run(current_state())
    updated = re.sub(r"MODELS_STATE = \(\n.*?\n\)\n", f"MODELS_STATE = (\n    {state}\n)\n",
                     text, flags=re.S)  # fmt: skip
    newest.write_text(updated)
    print(f"{newest.name}: MODELS_STATE {'refreshed' if updated != text else 'already current'}")


if __name__ == "__main__":
    main()
