"""The shipped migrations agree with the models: `aerich migrate`, run as a developer runs it
(pyproject.toml's `[tool.aerich]`), finds nothing to add, and every migration carries a
script for both metadata dialects."""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from tortoise import Tortoise

from app.models import tortoise_config
from app.models.migrations import MIGRATIONS_DIR, apply_migrations

REPO = Path(__file__).resolve().parents[2]
AERICH = str(Path(sys.executable).with_name("aerich"))
# `aerich migrate --offline` never connects; PostgreSQL's DDL can express every change
# (SQLite's cannot alter a column), so drift is computed against that dialect.
OFFLINE_POSTGRES = "postgres://stagdb@127.0.0.1:1/offline"


def shipped_migrations() -> list[ModuleType]:
    modules = []
    for path in sorted(
        (MIGRATIONS_DIR / "models").glob("[0-9]*_*.py"), key=lambda p: int(p.name.split("_")[0])
    ):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


def aerich_migrate(workdir: Path, migrations: Path = MIGRATIONS_DIR) -> Path:
    """Run `aerich migrate --offline` in a copy of the project's aerich setup; answers the
    migration it wrote, if it wrote one."""
    shutil.copy(REPO / "pyproject.toml", workdir / "pyproject.toml")
    shutil.copytree(migrations, workdir / "migrations")
    result = subprocess.run(
        [AERICH, "migrate", "--offline", "--no-input", "--name", "drift"],
        cwd=workdir,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
             "STAGDB_DATABASE_URL": OFFLINE_POSTGRES},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return workdir / "migrations" / "models"


def test_aerich_finds_no_difference_between_models_and_migrations(tmp_path: Path) -> None:
    assert not list(aerich_migrate(tmp_path).glob("*_drift.py"))


def test_a_model_change_without_a_migration_is_caught(tmp_path: Path) -> None:
    """The check above can fail: without the newest migration, the models hold changes no
    recorded state knows, and aerich writes a migration for them."""
    shipped = tmp_path / "shipped"
    shutil.copytree(MIGRATIONS_DIR, shipped)
    max((shipped / "models").glob("[0-9]*_*.py"), key=lambda p: int(p.name.split("_")[0])).unlink()
    workdir = tmp_path / "work"
    workdir.mkdir()
    assert list(aerich_migrate(workdir, shipped).glob("*_drift.py"))


@pytest.mark.parametrize("module_index", range(len(shipped_migrations())))
def test_every_migration_has_a_script_per_dialect(module_index: int) -> None:
    module = shipped_migrations()[module_index]
    assert module.SQLITE.strip() and module.POSTGRES.strip()
    assert module.MODELS_STATE


def test_migrations_apply_in_order_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'meta.sqlite3'}"

    async def apply_and_read() -> tuple[list[str], list[str]]:
        applied = await apply_migrations(url)
        await Tortoise.init(config=tortoise_config(url))
        try:
            connection = Tortoise.get_connection("default")
            _, rows = await connection.execute_query('PRAGMA table_info("databases")')
            return applied, [row["name"] for row in rows]
        finally:
            await Tortoise.close_connections()

    applied, columns = asyncio.run(apply_and_read())
    numbers = [int(name.split("_")[0]) for name in applied]
    assert numbers == sorted(numbers) and len(numbers) == len(shipped_migrations())
    assert {"desired_status", "lock_expires_at"} <= set(columns)
