"""Confined database containers and unprivileged connection accounts, on real containers:
what `docker inspect` says of each container, and what a client holding only the connection
string can and cannot do, with and without the `superuser` opt-in."""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import httpx
import psycopg
import pymysql
import pytest

from tests.conftest import MetadataCluster, Server, server_per_metadata
from tests.integration.test_databases import container_of, exec_starts
from tests.integration.test_graphql import gql
from tests.integration.test_mariadb import connect, mariadb_image  # noqa: F401 - fixture

pytestmark = pytest.mark.docker

PIDS_LIMIT = 1024  # the server's default
MYSQL_ACCESS_DENIED = (1044, 1045, 1142, 1227)  # db, user, table, global privilege refused


@pytest.fixture(scope="module")
def server(
    docker_client: docker.DockerClient,
    postgres_image: str,
    metadata_cluster: MetadataCluster,
    tmp_root: Path,
) -> Iterator[Server]:
    """One server: what is checked here does not depend on the metadata backend."""
    yield from server_per_metadata("sqlite", metadata_cluster, tmp_root, docker_client)


@pytest.fixture
def api(server: Server) -> Iterator[httpx.Client]:
    with server.client as client:
        yield client


@pytest.fixture
def databases(api: httpx.Client) -> Iterator[list[str]]:
    """Names of the databases a test made, deleted (with their branches) when it ends."""
    made: list[str] = []
    yield made
    for name in reversed(made):
        api.delete(f"/databases/{name}", params={"cascade": "true"})


def create(api: httpx.Client, made: list[str], name: str, **fields: object) -> dict:
    made.append(name)
    response = api.post("/databases", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def pg(uri: str, sql: str) -> list[tuple]:
    with psycopg.connect(uri, connect_timeout=5, autocommit=True) as connection:
        cursor = connection.execute(sql)
        return cursor.fetchall() if cursor.description else []


def refused_pg(uri: str, sql: str) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
        pg(uri, sql)
    return str(refused.value)


def mysql(uri: str, *statements: str, **overrides: object) -> list[tuple]:
    with connect(uri, **overrides) as connection, connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        return list(cursor.fetchall())


def refused_mysql(uri: str, statement: str) -> None:
    with pytest.raises(pymysql.err.OperationalError) as refused:
        mysql(uri, statement)
    assert refused.value.args[0] in MYSQL_ACCESS_DENIED, refused.value


def assert_confined(docker_client: docker.DockerClient, database_id: str, run_dirs: set[str]):
    container = container_of(docker_client, database_id)
    host = container.attrs["HostConfig"]
    assert host["CapDrop"] == ["ALL"] and not host["CapAdd"]
    assert host["ReadonlyRootfs"] is True
    assert host["SecurityOpt"] == ["no-new-privileges:true"]
    assert host["PidsLimit"] == PIDS_LIMIT
    assert set(host["Tmpfs"]) == run_dirs
    assert all("noexec" in options for options in host["Tmpfs"].values())
    written = container.exec_run(["sh", "-c", "touch /stagdb-probe"], user="999:999")
    assert written.exit_code != 0 and b"Read-only file system" in written.output
    return container


def test_postgresql_container_is_confined_and_listens_on_loopback(
    api: httpx.Client, docker_client: docker.DockerClient, databases: list[str]
) -> None:
    database = create(api, databases, "pg-confined", type="postgresql")
    container = assert_confined(docker_client, database["id"], {"/var/run/postgresql", "/tmp"})
    # Host networking: the engine listens on loopback, behind the connection front.
    assert container.attrs["HostConfig"]["NetworkMode"] == "host"
    assert "listen_addresses=127.0.0.1" in container.attrs["Config"]["Cmd"]


def test_a_plain_postgresql_user_owns_its_database_but_cannot_reach_the_server(
    api: httpx.Client, databases: list[str]
) -> None:
    database = create(api, databases, "pg-plain", type="postgresql")
    connection, uri = database["connection"], database["connection"]["uri"]
    assert database["superuser"] is False
    assert (connection["username"], connection["database"]) == ("stagdb", "app")
    assert uri.startswith("postgresql://stagdb:") and uri.endswith("/app")
    assert pg(uri, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == [(False,)]
    assert pg(uri, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'app'") == [
        ("stagdb",)
    ]

    pg(uri, "CREATE TABLE notes (id serial PRIMARY KEY, body text)")
    pg(uri, "INSERT INTO notes (body) VALUES ('hello')")
    assert pg(uri, "SELECT body FROM notes") == [("hello",)]
    pg(uri, "CREATE EXTENSION pgcrypto")  # trusted: the database's owner may create it
    assert pg(uri, "SELECT length(gen_random_bytes(8))") == [(8,)]
    pg(uri, "CREATE DATABASE more_data")
    assert pg(uri.removesuffix("/app") + "/more_data", "SELECT current_database()") == [
        ("more_data",)
    ]

    assert "pg_execute_server_program" in refused_pg(uri, "COPY notes (body) FROM PROGRAM 'id'")
    refused_pg(uri, "SELECT pg_read_file('/etc/passwd')")
    refused_pg(uri, "COPY notes (body) FROM '/etc/passwd'")
    refused_pg(uri, "ALTER ROLE stagdb SUPERUSER")
    refused_pg(uri, "ALTER SYSTEM SET log_statement = 'all'")
    major = int(pg(uri, "SHOW server_version_num")[0][0]) // 10000
    if major >= 16:
        pg(uri, "CREATE ROLE reader LOGIN PASSWORD 'reader-pw'")
        refused_pg(uri, "GRANT pg_execute_server_program TO stagdb")
    else:
        # Before 16, CREATEROLE could grant pg_execute_server_program: it is withheld.
        refused_pg(uri, "CREATE ROLE reader")
        refused_pg(uri, "GRANT pg_execute_server_program TO stagdb")
    password = connection["password"]
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        pg(uri.replace("stagdb:", "postgres:", 1).removesuffix("/app") + "/postgres", "SELECT 1")
    assert password  # the superuser has no password at all: the same one is refused too


def test_a_superuser_opt_in_is_recorded_and_inherited_by_branches(
    api: httpx.Client, databases: list[str]
) -> None:
    database = create(api, databases, "pg-root", type="postgresql", superuser=True)
    uri = database["connection"]["uri"]
    assert database["superuser"] is True
    assert database["connection"]["username"] == "postgres"
    pg(uri, "CREATE TABLE ran (line text)")
    pg(uri, "COPY ran FROM PROGRAM 'echo ran'")
    assert pg(uri, "SELECT line FROM ran") == [("ran",)]
    assert "root" in pg(uri, "SELECT pg_read_file('/etc/passwd')")[0][0]
    assert api.get("/databases/pg-root").json()["data"]["superuser"] is True

    response = api.post("/databases/pg-root/branches", json={"name": "pg-root-branch"})
    assert response.status_code == 201, response.text
    branch = response.json()["data"]
    assert branch["superuser"] is True and branch["connection"]["username"] == "postgres"
    assert branch["connection"]["password"] != database["connection"]["password"]
    assert pg(branch["connection"]["uri"], "SELECT line FROM ran") == [("ran",)]


def test_a_branch_of_a_plain_database_keeps_the_plain_account(
    api: httpx.Client, databases: list[str]
) -> None:
    parent = create(api, databases, "pg-parent", type="postgresql")
    pg(parent["connection"]["uri"], "CREATE TABLE kept AS SELECT 7 AS n")
    response = api.post("/databases/pg-parent/branches", json={"name": "pg-child"})
    assert response.status_code == 201, response.text
    branch = response.json()["data"]
    assert branch["superuser"] is False and branch["connection"]["username"] == "stagdb"
    assert pg(branch["connection"]["uri"], "SELECT n FROM kept") == [(7,)]
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        pg(
            branch["connection"]["uri"].replace(
                branch["connection"]["password"], parent["connection"]["password"]
            ),
            "SELECT 1",
        )


def test_superuser_is_validated_and_cannot_be_changed(
    api: httpx.Client, databases: list[str]
) -> None:
    response = api.post("/databases", json={"name": "bad", "type": "postgresql", "superuser": 1})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": "superuser must be true or false",
    }
    create(api, databases, "pg-fixed", type="postgresql")
    changed = api.put("/databases/pg-fixed", json={"superuser": True})
    assert changed.status_code == 400 and "superuser" in changed.json()["error"]["message"]


def test_graphql_takes_and_shows_the_superuser_choice(
    server: Server, api: httpx.Client, databases: list[str]
) -> None:
    databases.append("gql-root")
    created = gql(
        server,
        """mutation { createDatabase(input: {name: "gql-root", type: "postgresql",
           superuser: true}) { superuser connection { username } } }""",
    )["data"]["createDatabase"]
    assert created == {"superuser": True, "connection": {"username": "postgres"}}
    listed = gql(server, '{ database(name: "gql-root") { superuser } }')["data"]["database"]
    assert listed == {"superuser": True}


def test_a_plain_mariadb_user_has_its_schemas_and_no_files(
    api: httpx.Client,
    docker_client: docker.DockerClient,
    databases: list[str],
    mariadb_image: str,  # noqa: F811 - the fixture
) -> None:
    database = create(api, databases, "maria-plain", type="mariadb")
    assert_confined(docker_client, database["id"], {"/run/mysqld", "/tmp"})
    uri = database["connection"]["uri"]
    assert database["superuser"] is False and database["connection"]["username"] == "stagdb"
    mysql(uri, "CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, item TEXT)")
    mysql(uri, "INSERT INTO orders (item) VALUES ('tea')")
    assert mysql(uri, "SELECT item FROM orders") == [("tea",)]
    mysql(uri, "CREATE DATABASE app_reports", "CREATE TABLE app_reports.daily (n INT)")
    refused_mysql(uri, "CREATE DATABASE elsewhere")
    refused_mysql(uri, "SELECT * FROM mysql.user")

    assert mysql(uri, "SELECT LOAD_FILE('/etc/passwd')") == [(None,)]
    refused_mysql(uri, "SELECT item FROM orders INTO OUTFILE '/tmp/orders.txt'")
    refused_mysql(uri, "SET GLOBAL general_log = 1")
    grants = " ".join(row[0] for row in mysql(uri, "SHOW GRANTS"))
    assert "ON *.*" not in grants.replace("GRANT USAGE ON *.*", "")
    for superuser in ("root", "mysql"):
        with pytest.raises(pymysql.err.OperationalError):
            mysql(uri, "SELECT 1", user=superuser, password=database["connection"]["password"])


def test_a_mariadb_superuser_opt_in_reads_and_writes_files(
    api: httpx.Client,
    databases: list[str],
    mariadb_image: str,  # noqa: F811 - the fixture
) -> None:
    database = create(api, databases, "maria-root", type="mariadb", superuser=True)
    uri = database["connection"]["uri"]
    assert database["superuser"] is True and database["connection"]["username"] == "root"
    assert "root" in str(mysql(uri, "SELECT LOAD_FILE('/etc/passwd')")[0][0])
    mysql(uri, "CREATE TABLE t (n INT)", "SELECT 1 INTO OUTFILE '/tmp/written.txt'")
    assert mysql(uri, "SELECT LOAD_FILE('/tmp/written.txt')") == [(b"1\n",)]
    response = api.post("/databases/maria-root/branches", json={"name": "maria-root-branch"})
    assert response.status_code == 201, response.text
    branch = response.json()["data"]
    assert branch["superuser"] is True and branch["connection"]["username"] == "root"
    assert mysql(branch["connection"]["uri"], "SELECT CURRENT_USER()") == [("root@%",)]


def test_a_template_password_starts_new_databases_without_exec_and_opens_none(
    server: Server, api: httpx.Client, docker_client: docker.DockerClient, databases: list[str]
) -> None:
    """A new PostgreSQL database's first start logs in with its template's admin password
    over the network instead of running `docker exec`, and takes that password away: it
    opens no account of a database made, plain or superuser. The install keeps it in a
    private file; without that file a create still works, the `docker exec` way, and the
    password is taken away all the same."""
    started = time.time()
    plain = create(api, databases, "pg-tpl-plain", type="postgresql")
    root = create(api, databases, "pg-tpl-root", type="postgresql", superuser=True)
    kept = server.data_dir / "template-passwords" / "tpl-postgresql-15-v4.password"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    template_password = kept.read_text().strip()
    for database in (plain, root):
        container = container_of(docker_client, database["id"])
        assert exec_starts(docker_client, container.id, started) == []
        assert_template_password_opens_nothing(database, template_password)

    hidden = kept.with_name("hidden")
    kept.rename(hidden)
    try:
        started = time.time()
        by_exec = create(api, databases, "pg-tpl-exec", type="postgresql")
        container = container_of(docker_client, by_exec["id"])
        assert len(exec_starts(docker_client, container.id, started)) == 1
        assert_template_password_opens_nothing(by_exec, template_password)
    finally:
        hidden.rename(kept)


def assert_template_password_opens_nothing(database: dict, template_password: str) -> None:
    connection = database["connection"]
    assert pg(connection["uri"], "SELECT current_user") == [(connection["username"],)]
    for account in ("postgres", "stagdb"):
        uri = (
            f"postgresql://{account}:{template_password}@{connection['host']}:"
            f"{connection['port']}/postgres"
        )
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            pg(uri, "SELECT 1")
