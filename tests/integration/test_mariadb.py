"""MariaDB through HTTP with a real client (PyMySQL), on every storage backend: credentials,
stop/start, snapshots under a committing writer, branches, reset, stats, cascade delete."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

import docker
import httpx
import pymysql
import pytest

from app.setup.images import ImageUnavailable, ensure_image, host_versions
from tests.conftest import Server
from tests.integration.test_branching import create, managed_ids
from tests.integration.test_databases import container_of
from tests.writer import NumberedWriter

pytestmark = pytest.mark.docker

VERSION = "10.11"  # what Debian 12 packages, so the image can be built here
TAG = f"mariadb:{VERSION}"
# Wrong password, socket-only account, and (4151) the superuser root@'%' kept locked for
# databases that did not ask for it.
ACCESS_DENIED = (1045, 1698, 4151)


@pytest.fixture(scope="session")
def mariadb_image(docker_client: docker.DockerClient) -> str:
    try:
        ensure_image("mariadb", VERSION, TAG, docker_client, log=lambda line: None, pull=False)
    except ImageUnavailable:
        if VERSION not in host_versions("mariadb"):
            pytest.skip(
                f"no {TAG} image and mariadbd {VERSION} is not installed on this host to build "
                "one from: apt-get install -y mariadb-server"
            )
        raise
    return TAG


@pytest.fixture
def api(mariadb_image: str, branching_server: Server) -> Iterator[httpx.Client]:
    with branching_server.client as client:
        yield client


def connect(uri: str, **overrides: object) -> pymysql.connections.Connection:
    """A client connection from a `mysql://` URI, as an application would make it."""
    parts = urlsplit(uri)
    assert parts.scheme == "mysql"
    arguments: dict[str, object] = {
        "host": parts.hostname,
        "port": parts.port,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "database": parts.path.lstrip("/"),
        "connect_timeout": 5,
        "autocommit": True,
    }
    return pymysql.connect(**(arguments | overrides))


def query(uri: str, *statements: str) -> list[tuple]:
    """Run statements over one connection; the last one's rows."""
    with connect(uri) as connection, connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        return list(cursor.fetchall())


def count(uri: str, table: str = "items") -> int:
    return int(query(uri, f"SELECT COUNT(*) FROM {table}")[0][0])


def new_database(api: httpx.Client, name: str) -> dict:
    return create(api, "/databases", {"name": name, "type": "mariadb"})


def test_database_serves_its_own_user_with_a_password(
    api: httpx.Client, branching_server: Server, docker_client: docker.DockerClient
) -> None:
    database = new_database(api, "shop")
    try:
        assert (database["type"], database["version"], database["status"]) == (
            "mariadb",
            VERSION,
            "running",
        )
        connection = database["connection"]
        assert (connection["username"], connection["database"]) == ("stagdb", "app")
        uri = connection["uri"]
        assert uri.startswith("mysql://stagdb:") and uri.endswith(f":{database['port']}/app")
        query(uri, "CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, item TEXT)")
        query(uri, "INSERT INTO orders (item) VALUES ('tea'), ('cake')")
        assert query(uri, "SELECT item FROM orders ORDER BY id") == [("tea",), ("cake",)]
        assert query(uri, "SELECT CURRENT_USER(), @@character_set_server") == [
            ("stagdb@%", "utf8mb4")
        ]

        password = connection["password"]
        assert len(password) >= 20
        assert password not in json.dumps(container_of(docker_client, database["id"]).attrs)
        for user, secret in (("stagdb", "wrong-password"), ("root", ""), ("mysql", "")):
            with pytest.raises(pymysql.err.OperationalError) as refused:
                connect(uri, user=user, password=secret)
            assert refused.value.args[0] in ACCESS_DENIED, refused.value

        assert api.post("/databases/shop/stop").json()["data"]["status"] == "stopped"
        with pytest.raises(pymysql.err.OperationalError):
            connect(uri)
        started = api.post("/databases/shop/start").json()["data"]
        assert started["status"] == "running" and started["connection"]["uri"] == uri
        assert count(uri, "orders") == 2

        stats = api.get("/databases/shop/stats").json()["data"]
        engine = stats["engine"]["figures"]
        assert engine["server_version"].startswith(VERSION)
        assert engine["connections"] >= 1 and engine["max_connections"] > 0
        assert engine["uptime_seconds"] >= 0 and engine["queries"] > 0
        assert engine["selects"] >= 1 and engine["inserts"] >= 0
        sizes = {entry["name"]: entry["size_bytes"] for entry in engine["databases"]}
        assert sizes["app"] > 0 and "mysql" in sizes
        assert stats["storage"]["figures"]["backend"] == branching_server.env["STAGDB_STORAGE"]
    finally:
        api.delete("/databases/shop")
    assert container_of(docker_client, database["id"]) is None


def test_snapshots_branches_and_reset_hold_the_right_data(
    api: httpx.Client, branching_server: Server, docker_client: docker.DockerClient
) -> None:
    main = new_database(api, "main")
    uri = main["connection"]["uri"]
    query(
        uri,
        "CREATE TABLE items (n INT PRIMARY KEY) ENGINE=InnoDB",
        "INSERT INTO items SELECT seq FROM seq_1_to_100",
    )
    snapshot = create(api, "/databases/main/snapshots", {"name": "hundred"})
    query(uri, "INSERT INTO items SELECT seq FROM seq_101_to_150")

    live = create(api, "/databases/main/branches", {"name": "live"})
    old = create(api, f"/snapshots/{snapshot['id']}/branches", {"name": "old"})
    assert live["type"] == old["type"] == "mariadb"
    assert live["connection"]["password"] != main["connection"]["password"]
    with pytest.raises(pymysql.err.OperationalError):
        connect(live["connection"]["uri"], password=main["connection"]["password"])
    assert count(live["connection"]["uri"]) == 150
    assert count(old["connection"]["uri"]) == 100

    query(live["connection"]["uri"], "DELETE FROM items")
    assert count(uri) == 150, "writes to a branch never reach its parent"
    query(uri, "INSERT INTO items VALUES (151)")
    assert count(old["connection"]["uri"]) == 100, "writes to the parent never reach a branch"

    reset = api.post("/databases/live/reset")
    assert reset.status_code == 200, reset.text
    assert reset.json()["data"]["connection"] == live["connection"]
    assert count(live["connection"]["uri"]) == 150, "back to the data it was branched with"
    again = api.post("/databases/live/reset", json={"snapshot_id": snapshot["id"]})
    assert again.status_code == 200, again.text
    assert count(live["connection"]["uri"]) == 100

    nested = create(api, "/databases/live/branches", {"name": "nested"})
    assert count(nested["connection"]["uri"]) == 100

    assert api.delete("/databases/main", params={"cascade": "true"}).status_code == 200
    for name in ("main", "live", "old", "nested"):
        assert api.get(f"/databases/{name}").status_code == 404
    assert managed_ids(docker_client, branching_server) == set()
    assert branching_server.leftover_volumes() == []


@contextmanager
def ledger_session(uri: str) -> Iterator[Callable[[int], object]]:
    with connect(uri) as connection, connection.cursor() as cursor:
        yield lambda n: cursor.execute("INSERT INTO ledger (n) VALUES (%s)", (n,))


def test_branches_keep_every_committed_write_under_load(api: httpx.Client) -> None:
    source = new_database(api, "busy")
    uri = source["connection"]["uri"]
    query(uri, "CREATE TABLE ledger (n INT PRIMARY KEY, at TIMESTAMP(6) DEFAULT NOW(6))")
    writer = NumberedWriter(lambda: ledger_session(uri))
    writer.start()
    taken: list[tuple[str, int]] = []
    try:
        for round_ in range(2):
            time.sleep(0.3)
            acknowledged = writer.acknowledged
            branch = create(api, "/databases/busy/branches", {"name": f"under-load-{round_}"})
            taken.append((branch["connection"]["uri"], acknowledged))
            acknowledged = writer.acknowledged
            snap = create(api, "/databases/busy/snapshots", {"name": f"load-{round_}"})
            from_snap = create(
                api, f"/snapshots/{snap['id']}/branches", {"name": f"from-load-{round_}"}
            )
            taken.append((from_snap["connection"]["uri"], acknowledged))
    finally:
        writer.running = False
        writer.join(timeout=30)
    assert writer.acknowledged > 100, "the writer kept committing during the calls"
    for branch_uri, acknowledged in taken:
        rows, highest = query(
            branch_uri,
            f"SELECT COUNT(*), COALESCE(MAX(n), 0) FROM ledger WHERE n <= {acknowledged}",
        )[0]
        assert (rows, highest) == (acknowledged, acknowledged), "no committed row is missing"
        checked = query(branch_uri, "CHECK TABLE ledger EXTENDED")
        assert checked[-1][2:] == ("status", "OK"), checked
    assert api.delete("/databases/busy", params={"cascade": "true"}).status_code == 200
