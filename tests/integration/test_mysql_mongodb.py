"""MySQL and MongoDB live, through HTTP with real clients, wherever their official images are
present. Neither server can be installed or pulled on the development machine (not packaged for
Debian 12, no registry), so there these tests are skipped, saying so; their commands, credentials,
URIs and stats parsing are covered without a server in tests/unit/test_engines.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
import pymongo
import pytest

from tests.conftest import Server, launch_server, shut_down
from tests.integration.test_mariadb import query as mysql_query

MYSQL = ("mysql", "8.0", "mysql:8.0")
MONGODB = ("mongodb", "7.0", "mongo:7.0")


def require_image(client: docker.DockerClient, tag: str) -> None:
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        pytest.skip(
            f"no {tag} image on this host (not packaged for Debian 12 and no registry here); "
            f"`docker pull {tag}` where a registry answers runs this test live"
        )


@pytest.fixture(params=[MYSQL, MONGODB], ids=["mysql", "mongodb"])
def engine_server(
    request: pytest.FixtureRequest,
    docker_client: docker.DockerClient,
    postgres_image: str,
    tmp_root: Path,
) -> Iterator[tuple[str, Server]]:
    engine, version, tag = request.param
    require_image(docker_client, tag)
    variable = {"mysql": "STAGDB_MYSQL_VERSIONS", "mongodb": "STAGDB_MONGODB_VERSIONS"}[engine]
    server = launch_server(None, tmp_root, {variable: version})
    yield engine, server
    shut_down(server, docker_client)


def write_and_count(engine: str, uri: str, rows: int) -> int:
    """Write `rows` rows (documents) with the engine's own client and count them."""
    if engine == "mysql":
        values = ", ".join(f"({n})" for n in range(rows))
        mysql_query(
            uri, "CREATE TABLE IF NOT EXISTS items (n INT)", f"INSERT INTO items VALUES {values}"
        )
        return int(mysql_query(uri, "SELECT COUNT(*) FROM items")[0][0])
    with pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
        items = client["app"]["items"]
        items.insert_many([{"n": n} for n in range(rows)])
        return int(items.count_documents({}))


def count(engine: str, uri: str) -> int:
    if engine == "mysql":
        return int(mysql_query(uri, "SELECT COUNT(*) FROM items")[0][0])
    with pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
        return int(client["app"]["items"].count_documents({}))


def test_create_write_snapshot_branch_reset_delete(engine_server: tuple[str, Server]) -> None:
    engine, server = engine_server
    with server.client as api:
        made = api.post("/databases", json={"name": "live", "type": engine})
        assert made.status_code == 201, made.text
        uri = made.json()["data"]["connection"]["uri"]
        assert uri.startswith("mysql://" if engine == "mysql" else "mongodb://")
        assert write_and_count(engine, uri, 10) == 10

        snapshot = api.post("/databases/live/snapshots", json={"name": "ten"}).json()["data"]
        write_and_count(engine, uri, 5)
        branch = api.post(f"/snapshots/{snapshot['id']}/branches", json={"name": "live-b"})
        assert branch.status_code == 201, branch.text
        branch_uri = branch.json()["data"]["connection"]["uri"]
        assert count(engine, branch_uri) == 10
        write_and_count(engine, branch_uri, 1)
        assert api.post("/databases/live-b/reset").status_code == 200
        assert count(engine, branch_uri) == 10

        stats = api.get("/databases/live/stats").json()["data"]
        assert stats["engine"] is not None and stats["engine"]["figures"]
        assert api.delete("/databases/live", params={"cascade": "true"}).status_code == 200
        assert api.get("/databases").json()["pagination"]["total"] == 0
    assert server.leftover_volumes() == []


def test_wrong_password_is_refused(engine_server: tuple[str, Server]) -> None:
    engine, server = engine_server
    with server.client as api:
        made = api.post("/databases", json={"name": "guarded", "type": engine}).json()["data"]
        try:
            password = made["connection"]["password"]
            wrong = made["connection"]["uri"].replace(password, "not-the-password")
            with pytest.raises(Exception, match="(?i)denied|auth"):
                count(engine, wrong)
        finally:
            api.delete("/databases/guarded")
