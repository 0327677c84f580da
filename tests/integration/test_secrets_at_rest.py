"""Secrets at rest: the metadata database holds database passwords and webhook secrets only
sealed, is readable by its owner only, and values from before sealing are sealed at start."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import docker
import psycopg
import pytest
from cryptography.fernet import Fernet, InvalidToken

from tests.conftest import MetadataCluster, Server, launch_server, server_per_metadata, shut_down


@pytest.fixture(scope="module")
def sealed_server(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> Iterator[Server]:
    running = launch_server(None, tmp_root)
    yield running
    shut_down(running, docker_client)


def raw_rows(server: Server, sql: str) -> list[tuple]:
    with sqlite3.connect(server.data_dir / "stagdb.sqlite3") as connection:
        return connection.execute(sql).fetchall()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_passwords_and_webhook_secrets_are_stored_sealed(sealed_server: Server) -> None:
    with sealed_server.client as api:
        database = api.post("/databases", json={"name": "sealed", "type": "postgresql"}).json()
        assert database["success"], database
        password = database["data"]["connection"]["password"]
        hook = api.post(
            "/webhooks",
            json={"url": "http://127.0.0.1:9/h", "events": ["*"], "secret": "my-own-secret-123"},
        )
        assert hook.status_code == 201, hook.text
        api.delete(f"/webhooks/{hook.json()['data']['id']}")
        hook = api.post(
            "/webhooks",
            json={"url": "http://127.0.0.1:9/h", "events": ["*"], "secret": "kept-secret-4567890"},
        )
        assert hook.status_code == 201, hook.text
        metadata = (sealed_server.data_dir / "stagdb.sqlite3").read_bytes()
        assert password.encode() not in metadata
        assert b"kept-secret-4567890" not in metadata
        [(stored,)] = raw_rows(sealed_server, "SELECT password FROM databases")
        assert stored.startswith("sealed:v1:")
        assert mode(sealed_server.data_dir / "stagdb.sqlite3") == 0o600
        assert mode(sealed_server.data_dir) == 0o700
        assert mode(sealed_server.data_dir / "secret.key") == 0o600
        # The API still shows the password, and it still opens the database after a restart.
        sealed_server.stop()
        sealed_server.start()
        again = api.get("/databases/sealed").json()["data"]["connection"]
        assert again["password"] == password
        with psycopg.connect(again["uri"], connect_timeout=5) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
        api.delete(f"/webhooks/{hook.json()['data']['id']}")
        assert api.delete("/databases/sealed").status_code == 200


def test_values_stored_before_sealing_are_sealed_at_start(sealed_server: Server) -> None:
    with sealed_server.client as api:
        database = api.post("/databases", json={"name": "legacy", "type": "postgresql"}).json()
        password = database["data"]["connection"]["password"]
        sealed_server.stop()
        with sqlite3.connect(sealed_server.data_dir / "stagdb.sqlite3") as connection:
            connection.execute("UPDATE databases SET password=? WHERE name='legacy'", (password,))
        sealed_server.start()
        [(stored,)] = raw_rows(sealed_server, "SELECT password FROM databases WHERE name='legacy'")
        assert stored.startswith("sealed:v1:") and password not in stored
        assert api.get("/databases/legacy").json()["data"]["connection"]["password"] == password
        assert api.delete("/databases/legacy").status_code == 200


def test_a_server_with_another_key_refuses_to_start_rather_than_lose_secrets(
    sealed_server: Server, docker_client: docker.DockerClient, tmp_root: Path
) -> None:
    with sealed_server.client as api:
        api.post("/databases", json={"name": "keyed", "type": "postgresql"})
    sealed_server.stop()
    key_file = sealed_server.data_dir / "secret.key"
    original = key_file.read_text()
    try:
        wrong = {**sealed_server.env, "STAGDB_SECRET_KEY": "A" * 43 + "="}
        started = sealed_server.cli_with_env(wrong, "doctor")
        assert started.returncode == 1 and "does not open with this key" in started.stdout
        sealed_server.env = wrong
        with pytest.raises(RuntimeError, match="does not open with this key"):
            sealed_server.start()
    finally:
        sealed_server.env = {k: v for k, v in sealed_server.env.items() if k != "STAGDB_SECRET_KEY"}
        assert key_file.read_text() == original
        sealed_server.start()
        with sealed_server.client as api:
            assert api.delete("/databases/keyed").status_code == 200


def stored_secrets(server: Server) -> list[str]:
    return [
        value
        for (value,) in raw_rows(server, "SELECT password FROM databases")
        + raw_rows(server, "SELECT secret FROM webhooks")
    ]


def opens(key: str, stored: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(stored.removeprefix("sealed:v1:").encode())
    except InvalidToken:
        return False
    return True


def test_rotation_reseals_every_secret_under_a_new_key(sealed_server: Server) -> None:
    with sealed_server.client as api:
        database = api.post("/databases", json={"name": "rotated", "type": "postgresql"}).json()
        password = database["data"]["connection"]["password"]
        hook = api.post(
            "/webhooks",
            json={"url": "http://127.0.0.1:9/h", "events": ["*"], "secret": "rotated-secret-123"},
        ).json()["data"]
        sealed_server.stop()
        key_file = sealed_server.data_dir / "secret.key"
        old_key = key_file.read_text().strip()

        # A key kept in the data dir: replaced there (0600) once every value is re-sealed.
        rotated = sealed_server.cli("secrets", "rotate")
        assert rotated.returncode == 0, rotated.stderr
        new_key = key_file.read_text().strip()
        assert new_key != old_key and mode(key_file) == 0o600
        assert not (sealed_server.data_dir / "secret.key.next").exists()
        secrets = stored_secrets(sealed_server)
        assert secrets and all(opens(new_key, s) and not opens(old_key, s) for s in secrets)
        assert mode(sealed_server.data_dir) == 0o700
        assert mode(sealed_server.data_dir / "stagdb.sqlite3") == 0o600
        sealed_server.start()
        again = api.get("/databases/rotated").json()["data"]["connection"]
        assert again["password"] == password
        with psycopg.connect(again["uri"], connect_timeout=5) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
        sealed_server.stop()

        # A key given in STAGDB_SECRET_KEY: the new one is printed for the operator.
        given = {**sealed_server.env, "STAGDB_SECRET_KEY": new_key}
        printed = sealed_server.cli_with_env(given, "secrets", "rotate")
        assert printed.returncode == 0, printed.stderr
        operator_key = printed.stdout.strip()
        assert key_file.read_text().strip() == new_key  # the file is left alone
        secrets = stored_secrets(sealed_server)
        assert all(opens(operator_key, s) and not opens(new_key, s) for s in secrets)
        sealed_server.env = {**sealed_server.env, "STAGDB_SECRET_KEY": operator_key}
        try:
            sealed_server.start()
            again = api.get("/databases/rotated").json()["data"]["connection"]
            assert again["password"] == password
            with psycopg.connect(again["uri"], connect_timeout=5) as connection:
                assert connection.execute("SELECT 1").fetchone() == (1,)
            assert api.delete(f"/webhooks/{hook['id']}").status_code == 200
            assert api.delete("/databases/rotated").status_code == 200
        finally:
            sealed_server.stop()
            sealed_server.env = {
                k: v for k, v in sealed_server.env.items() if k != "STAGDB_SECRET_KEY"
            }
            key_file.write_text(operator_key + "\n")  # what the remaining values are sealed with
            sealed_server.start()


def test_rotation_with_postgresql_metadata_and_a_given_key(
    docker_client: docker.DockerClient,
    postgres_image: str,
    metadata_cluster: MetadataCluster,
    tmp_root: Path,
) -> None:
    replica = next(server_per_metadata("postgres", metadata_cluster, tmp_root, docker_client))
    url = replica.env["STAGDB_DATABASE_URL"]
    old_key = replica.env["STAGDB_SECRET_KEY"]
    try:
        with replica.client as api:
            made = api.post("/databases", json={"name": "pg-rotated", "type": "postgresql"})
            password = made.json()["data"]["connection"]["password"]
            replica.stop()
            rotated = replica.cli("secrets", "rotate")
            assert rotated.returncode == 0, rotated.stderr
            new_key = rotated.stdout.strip()
            with psycopg.connect(url) as metadata:
                [(stored,)] = metadata.execute(
                    "SELECT password FROM databases WHERE name = 'pg-rotated'"
                ).fetchall()
            assert opens(new_key, stored) and not opens(old_key, stored)
            replica.env = {**replica.env, "STAGDB_SECRET_KEY": new_key}
            replica.start()
            again = api.get("/databases/pg-rotated").json()["data"]["connection"]
            assert again["password"] == password
            with psycopg.connect(again["uri"], connect_timeout=5) as connection:
                assert connection.execute("SELECT 1").fetchone() == (1,)
            assert api.delete("/databases/pg-rotated").status_code == 200
    finally:
        shut_down(replica, docker_client)
