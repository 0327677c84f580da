"""The shipped migrations match the models, on both metadata dialects."""

from __future__ import annotations

import asyncio
import importlib.util
import re
from pathlib import Path

import pytest
from aerich import Command

from app.models import tortoise_config
from app.models.migrations import MIGRATIONS_DIR


def shipped_migration():
    [path] = sorted((MIGRATIONS_DIR / "models").glob("0_*.py"))
    spec = importlib.util.spec_from_file_location("initial_migration", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generated_schema(url: str, location: Path) -> str:
    async def generate() -> None:
        command = Command(tortoise_config(url), app="models", location=str(location))
        await command.init_migrations(safe=True)
        await command.aclose()

    asyncio.run(generate())
    [path] = (location / "models").glob("*.py")
    return re.search(r'return """\n(.*?)"""', path.read_text(), re.S).group(1)


@pytest.mark.parametrize(
    ("url", "attribute"),
    [("sqlite://:memory:", "SQLITE"), ("postgres://stagdb@127.0.0.1:1/none", "POSTGRES")],
)
def test_migration_matches_models(url: str, attribute: str, tmp_path: Path) -> None:
    expected = generated_schema(url, tmp_path)
    assert getattr(shipped_migration(), attribute).strip() == expected.strip()
