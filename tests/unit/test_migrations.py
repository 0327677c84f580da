"""The shipped migrations, applied in order, make exactly the schema the models describe, on
both metadata dialects."""

from __future__ import annotations

import asyncio
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from aerich import Command

from app.models import tortoise_config
from app.models.migrations import MIGRATIONS_DIR

# Statements start on a new line with one of these; comments inside them may hold ";".
STATEMENT_START = re.compile(r";\s*\n(?=\s*(?:CREATE|COMMENT|ALTER|DROP) )")


def shipped_migrations() -> list[ModuleType]:
    paths = sorted(
        (MIGRATIONS_DIR / "models").glob("[0-9]*_*.py"), key=lambda p: int(p.name.split("_")[0])
    )
    modules = []
    for path in paths:
        spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


def statements(script: str) -> list[str]:
    return sorted(
        " ".join(part.split()).rstrip(";") for part in STATEMENT_START.split(script.strip())
    )


def generated_schema(url: str, location: Path) -> str:
    async def generate() -> None:
        command = Command(tortoise_config(url), app="models", location=str(location))
        await command.init_migrations(safe=True)
        await command.aclose()

    asyncio.run(generate())
    [path] = (location / "models").glob("*.py")
    return re.search(r'return """\n(.*?)"""', path.read_text(), re.S).group(1)


def test_migrations_are_numbered_in_sequence() -> None:
    names = [p.name for p in (MIGRATIONS_DIR / "models").glob("[0-9]*_*.py")]
    numbers = sorted(int(name.split("_")[0]) for name in names)
    assert numbers[0] == 0 and len(numbers) == len(set(numbers)), names


@pytest.mark.parametrize(
    ("url", "attribute"),
    [("sqlite://:memory:", "SQLITE"), ("postgres://stagdb@127.0.0.1:1/none", "POSTGRES")],
)
def test_migrations_match_models(url: str, attribute: str, tmp_path: Path) -> None:
    expected = statements(generated_schema(url, tmp_path))
    shipped = [s for m in shipped_migrations() for s in statements(getattr(m, attribute))]
    assert sorted(shipped) == expected
