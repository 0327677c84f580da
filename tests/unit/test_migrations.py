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


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_projects_arrive_without_losing_a_row_on_a_populated_metadata(
    tmp_path: Path, dialect: str, request: pytest.FixtureRequest
) -> None:
    """Migration 5 (which rebuilds SQLite's `databases` table): every row, branch link,
    snapshot and key survives into the default project, foreign keys still hold, and names
    become unique per project. Each dialect runs in a process of its own, as a server does
    (Tortoise keeps per-dialect query state for the process's life)."""
    if dialect == "sqlite":
        url = f"sqlite://{tmp_path / 'meta.sqlite3'}"
    else:
        url = request.getfixturevalue("metadata_cluster").create_database()
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from tests.unit.test_migrations import "
         "upgrade_populated_metadata as run; run(sys.argv[1], sys.argv[2], sys.argv[3])",
         url, dialect, str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def upgrade_populated_metadata(url: str, dialect: str, workdir: str) -> None:
    before = Path(workdir) / "migrations"
    shutil.copytree(MIGRATIONS_DIR, before)
    for path in (before / "models").glob("[0-9]*_*.py"):
        if int(path.name.split("_")[0]) >= 5:
            path.unlink()
    columns = (
        '"id", "name", "engine", "version", "status", "desired_status", "host", "port", '
        '"username", "password", "database_name", "description", "volume", "protected", '
        '"idle_stopped", "created_at", "updated_at", "parent_id"'
    )

    def row(db_id: str, name: str, port: int, parent: str | None) -> str:
        parent_sql = f"'{parent}'" if parent else "NULL"
        return (
            f"INSERT INTO databases ({columns}) VALUES ('{db_id}', '{name}', 'postgresql', "
            f"'15', 'running', 'running', 'local', {port}, 'postgres', 'sealed', 'postgres', "
            f"'', '{db_id}', FALSE, FALSE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, {parent_sql})"
        )

    async def migrate_to_4() -> None:
        from aerich import Command

        async with Command(tortoise_config(url), app="models", location=str(before)) as command:
            await command.init()
            await command.upgrade(run_in_transaction=True)

    async def populate() -> None:
        await Tortoise.init(config=tortoise_config(url))
        connection = Tortoise.get_connection("default")
        await connection.execute_script(
            row("db-000000000001", "main", 15001, None) + ";"
            + row("db-000000000002", "feature", 15002, "db-000000000001") + ";"
            + "INSERT INTO snapshots (id, name, description, status, volume, scheduled, "
            "created_at, database_id) VALUES ('snap-000000000001', 's', '', 'ready', "
            "'db-000000000001', FALSE, CURRENT_TIMESTAMP, 'db-000000000001');"
            "INSERT INTO api_keys (id, name, prefix, key_hash, created_at) VALUES "
            "('key-000000000001', 'old', 'sdb_abcdef', 'h', CURRENT_TIMESTAMP)"
        )  # fmt: skip
        await Tortoise.close_connections()

    async def upgrade_and_check() -> None:
        shipped = sorted(
            int(p.name.split("_")[0]) for p in MIGRATIONS_DIR.glob("models/[0-9]*_*.py")
        )
        assert [int(n.split("_")[0]) for n in await apply_migrations(url)] == [
            number for number in shipped if number >= 5
        ]  # numbers need not be consecutive: each branch takes the one it was given
        await Tortoise.init(config=tortoise_config(url))
        try:
            connection = Tortoise.get_connection("default")
            _, rows = await connection.execute_query(
                "SELECT id, project_id, parent_id FROM databases ORDER BY id"
            )
            assert [tuple(r) for r in rows] == [
                ("db-000000000001", "prj-default00000", None),
                ("db-000000000002", "prj-default00000", "db-000000000001"),
            ]
            _, keys = await connection.execute_query("SELECT scope, project_id FROM api_keys")
            assert [tuple(k) for k in keys] == [("admin", "prj-default00000")]
            if dialect == "sqlite":
                _, fks = await connection.execute_query("PRAGMA foreign_keys")
                assert fks[0][0] == 1
            with pytest.raises(Exception, match="(?i)foreign key"):
                await connection.execute_query("DELETE FROM databases WHERE id = 'db-000000000001'")
            await connection.execute_query(
                "INSERT INTO projects (id, name, created_at) "
                "VALUES ('prj-000000000002', 'other', CURRENT_TIMESTAMP)"
            )
            await connection.execute_query(
                "UPDATE databases SET project_id = 'prj-000000000002', port = 15009 "
                "WHERE id = 'db-000000000002'"
            )
            await connection.execute_query(
                "UPDATE databases SET name = 'main' WHERE id = 'db-000000000002'"
            )  # the same name in another project
            with pytest.raises(Exception, match="(?i)unique|duplicate"):
                await connection.execute_query(
                    "UPDATE databases SET project_id = 'prj-default00000' "
                    "WHERE id = 'db-000000000002'"
                )
        finally:
            await Tortoise.close_connections()

    asyncio.run(migrate_to_4())
    asyncio.run(populate())
    asyncio.run(upgrade_and_check())
