"""Confinement without Docker: which account a database connects as, what each engine's
template makes, and the container arguments that drop capabilities and freeze the root
filesystem. The same is checked against real containers in tests/integration/test_hardening.py."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from app.domain.branches import CreateBranch
from app.domain.databases import CreateDatabase, NewDatabase
from app.domain.provisioning import CONFINED_LABEL
from app.domain.resources import Resources
from app.drivers.runtime.base import ContainerSpec
from app.drivers.runtime.docker import _run_arguments
from app.engines import ENGINES, Account
from app.engines.postgresql import PostgreSQL
from app.errors import ValidationError
from app.models import DEFAULT_PROJECT_ID, Database
from tests.unit.test_controller import World, scenario
from tests.unit.test_engines import assert_valid_shell, run_script

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "models"


@pytest.mark.parametrize(
    ("engine", "plain", "superuser"),
    [
        ("postgresql", ("stagdb", "app", False), ("postgres", "postgres", True)),
        ("mariadb", ("stagdb", "app", False), ("root", "app", True)),
        ("mysql", ("stagdb", "app", False), ("root", "app", True)),
        ("mongodb", ("stagdb", "admin", True), ("stagdb", "admin", True)),
    ],
)
def test_the_connection_account_is_the_superuser_only_when_asked(
    engine: str, plain: tuple[str, str, bool], superuser: tuple[str, str, bool]
) -> None:
    assert ENGINES[engine].account(superuser=False) == Account(*plain)
    assert ENGINES[engine].account(superuser=True) == Account(*superuser)


@pytest.mark.parametrize(
    ("version", "attributes", "grants"),
    [
        ("12", "CREATEDB", []),
        ("15", "CREATEDB", ["GRANT pg_checkpoint TO stagdb"]),
        ("16", "CREATEDB CREATEROLE", ["GRANT pg_checkpoint TO stagdb"]),
        ("17", "CREATEDB CREATEROLE", ["GRANT pg_checkpoint TO stagdb"]),
    ],
)
def test_postgresql_template_makes_the_owner_of_app_on_a_socket_only_server(
    tmp_path: Path, version: str, attributes: str, grants: list[str]
) -> None:
    """CREATEROLE before 16 could grant pg_execute_server_program: withheld there. From 15 on
    the account may CHECKPOINT (pg_checkpoint), so snapshots need no `docker exec`."""
    command = PostgreSQL().init_command(version)
    assert_valid_shell(command)
    hba = tmp_path / "pg_hba.conf"
    calls = run_script(
        command,
        tmp_path,
        ("initdb", "pg_ctl", "psql"),
        {"/var/lib/postgresql/data/pg_hba.conf": str(hba)},
    )
    psqls = 2 + len(grants)
    assert [call.argv[0] for call in calls] == ["initdb", "pg_ctl", *["psql"] * psqls, "pg_ctl"]
    assert "-U" in calls[0].argv and calls[0].argv[calls[0].argv.index("-U") + 1] == "postgres"
    assert hba.read_text() == "host all all all scram-sha-256\n"
    start = calls[1].argv
    assert start[-1] == "start" and "-c listen_addresses='' -k /var/run/postgresql" in start
    statements = [call.argv[-1] for call in calls[2 : 2 + psqls]]
    assert statements == [
        f"CREATE ROLE stagdb LOGIN {attributes}",
        "CREATE DATABASE app OWNER stagdb",
        *grants,
    ]
    assert all(call.argv[call.argv.index("-U") + 1] == "postgres" for call in calls[2 : 2 + psqls])
    assert calls[-1].argv[-1] == "stop"


def test_new_templates_are_made_beside_those_of_the_superuser_era() -> None:
    assert ENGINES["postgresql"].template_volume("15") == "tpl-postgresql-15-v4"
    assert ENGINES["mariadb"].template_volume("10.11") == "tpl-mariadb-10-11-v2"
    assert ENGINES["mongodb"].template_volume("7.0") == "tpl-mongodb-7-0-v1"


def test_a_checkpoint_the_network_cannot_take_answers_false_for_the_exec_path() -> None:
    """Nothing listens on port 1: the caller falls back to `docker exec`."""
    engine = PostgreSQL()
    assert asyncio.run(engine.checkpoint_over_network("127.0.0.1", 1, "stagdb", "pw")) is False


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_every_engine_runs_with_no_capability_and_a_read_only_root(engine: str) -> None:
    assert ENGINES[engine].capabilities == ()
    assert "/tmp" in ENGINES[engine].run_dirs


def test_docker_arguments_drop_capabilities_and_freeze_the_root() -> None:
    spec = ContainerSpec(
        name="n", image="i", command=["c"], user="999:999", labels={}, mounts=[],
        network_mode="host", pids_limit=64, read_only_root=True,
        tmpfs=("/var/run/postgresql", "/tmp"),
    )  # fmt: skip
    arguments = _run_arguments(spec)
    assert arguments["cap_drop"] == ["ALL"] and "cap_add" not in arguments
    assert arguments["security_opt"] == ["no-new-privileges:true"]
    assert arguments["read_only"] is True and arguments["pids_limit"] == 64
    assert set(arguments["tmpfs"]) == {"/var/run/postgresql", "/tmp"}
    assert all("noexec" in options for options in arguments["tmpfs"].values())
    needing = _run_arguments(ContainerSpec(**{**spec.__dict__, "capabilities": ("CHOWN",)}))
    assert needing["cap_add"] == ["CHOWN"]


def test_existing_databases_are_recorded_as_superuser_by_the_migration() -> None:
    (migration,) = MIGRATION.glob("6_*.py")
    namespace: dict[str, object] = {}
    exec(compile(migration.read_text(), str(migration), "exec"), namespace)
    connection = sqlite3.connect(":memory:")
    connection.execute('CREATE TABLE "databases" ("id" TEXT PRIMARY KEY)')
    connection.execute("INSERT INTO databases (id) VALUES ('db-old')")
    connection.executescript(str(namespace["SQLITE"]))
    connection.execute("INSERT INTO databases (id) VALUES ('db-new')")
    rows = dict(connection.execute("SELECT id, superuser FROM databases"))
    assert rows == {"db-old": 1, "db-new": 0}


@scenario
async def test_a_superuser_is_recorded_and_branches_inherit_the_account(world: World) -> None:
    engine = world.databases.catalog.engine("fake")
    new = NewDatabase(
        "root-app", "fake", "1", "", Resources(None, None), DEFAULT_PROJECT_ID,
        account=engine.account(True),
    )  # fmt: skip
    async with world.databases.creation(new, "database.create") as creation:
        await creation.fill(asyncio.to_thread(world.pool.create_volume, creation.row.volume))
        await creation.start()
    view = creation.result()
    assert view.superuser is True and view.connection is not None
    assert view.connection.username == "admin"
    plain = await world.create("plain-app")
    assert (plain.superuser, plain.username) == (False, "user")

    async def clone(volume: str, snapshot: str, target: str) -> None:
        await asyncio.to_thread(world.pool.create_volume, target)

    world.databases.provisioner.clone_snapshot = clone  # type: ignore[method-assign]
    branch = await world.branches.from_database("root-app", CreateBranch(name="root-branch"))
    assert branch.superuser is True and branch.connection is not None
    assert branch.connection.username == "admin"
    row = await Database.get(id=branch.id)
    spec = world.databases.provisioner.container_spec(world.databases.placement(row))
    assert spec.read_only_root and spec.capabilities == () and "/tmp" in spec.tmpfs


@scenario
async def test_superuser_must_be_a_boolean(world: World) -> None:
    with pytest.raises(ValidationError, match="superuser must be true or false"):
        await world.databases.create(CreateDatabase(name="x", type="fake", superuser="yes"))


@scenario
async def test_a_container_made_before_confinement_is_made_again_confined(world: World) -> None:
    row = await world.create("unconfined")
    old = world.runtime.of_database(row.id)
    assert old is not None
    labels = {k: v for k, v in old.info.labels.items() if k != CONFINED_LABEL}
    old.info = replace(old.info, labels=labels)
    await world.controller.sweep()
    new = world.runtime.of_database(row.id)
    assert new is not None and new.info.id != old.info.id and new.info.running
    assert new.info.labels[CONFINED_LABEL] == "true"
    reason = "brought back after its container predates the connection front or confinement"
    assert ("database.recovered", reason) in await world.events(row.id)
