"""The `stagdb` command: keys, setup and doctor, run as a user would run them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import docker
import httpx
import pytest

from tests.conftest import Server, launch_server, shut_down


@pytest.fixture(scope="module")
def cli_server(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> Iterator[Server]:
    server = launch_server(None, tmp_root)
    yield server
    shut_down(server, docker_client)


def test_keys_are_printed_once_and_stored_only_as_hashes(cli_server: Server) -> None:
    created = cli_server.cli("keys", "create", "--name", "ci-pipeline")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("sdb_") and len(key) > 40

    response = httpx.get(
        f"{cli_server.base_url}/databases", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200

    with sqlite3.connect(cli_server.data_dir / "stagdb.sqlite3") as metadata:
        rows = metadata.execute("SELECT name, prefix, key_hash FROM api_keys").fetchall()
    dumped = repr(rows)
    assert key not in dumped
    assert ("ci-pipeline", key[:10]) in [(name, prefix) for name, prefix, _ in rows]
    log = cli_server.log_path.read_text()
    assert key not in log

    again = cli_server.cli("keys", "create", "--name", "second", "--if-none")
    assert again.returncode == 0 and again.stdout == ""
    assert "already exists" in again.stderr


def test_doctor_reports_a_healthy_host(cli_server: Server) -> None:
    report = cli_server.cli("doctor")
    assert report.returncode == 0, report.stdout + report.stderr
    for check in ("docker", "images", "storage", "forwarding", "metadata"):
        assert f"ok      {check}:" in report.stdout
    assert "postgresql versions available: 15" in report.stdout


def test_doctor_says_what_is_wrong_and_how_to_fix_it(cli_server: Server) -> None:
    env = cli_server.env | {
        "STAGDB_DATA_DIR": str(cli_server.data_dir / "missing"),
        "STAGDB_POSTGRES_VERSIONS": "11",
        "STAGDB_MARIADB_VERSIONS": "9.9",
    }
    report = cli_server.cli_with_env(env, "doctor")
    assert report.returncode == 1
    assert "PROBLEM images: no engine image is present" in report.stdout
    assert "PROBLEM storage:" in report.stdout
    assert "fix: run `stagdb setup`" in report.stdout


def test_setup_is_idempotent_and_quick_when_ready(cli_server: Server) -> None:
    first = cli_server.cli("setup")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "setup: image postgres:15: present" in first.stdout
    assert "setup: docker engine: running" in first.stdout
    template = cli_server.data_dir / "pool" / "volumes" / "tpl-postgresql-15-v4"
    assert (template / "PG_VERSION").read_text().strip() == "15"
    kept = cli_server.data_dir / "template-passwords" / "tpl-postgresql-15-v4.password"
    assert kept.stat().st_mode & 0o777 == 0o600  # its admin's password, for first starts
    second = cli_server.cli("setup")
    assert second.returncode == 0 and "setup: done" in second.stdout


def test_configuration_errors_are_explained(cli_server: Server) -> None:
    report = cli_server.cli_with_env(cli_server.env | {"STAGDB_PORT_RANGE": "90-80"}, "doctor")
    assert report.returncode == 2
    assert "STAGDB_PORT_RANGE must lie within 1024-65535" in report.stderr


def test_setup_makes_mariadb_available_too(cli_server: Server) -> None:
    """Every engine this host can make is made: setup reports MariaDB's image ready."""
    env = cli_server.env | {"STAGDB_MARIADB_VERSIONS": "10.11"}
    done = cli_server.cli_with_env(env, "setup")
    assert done.returncode == 0, done.stdout + done.stderr
    assert any(
        line.startswith("setup: image mariadb:10.11: ")
        and line.split(": ")[-1] in {"present", "built", "rebuilt"}
        for line in done.stdout.splitlines()
    ), done.stdout


@pytest.mark.skipif(
    Path("/run/systemd/system").is_dir(), reason="would install a real unit on this host"
)
def test_setup_service_says_what_to_do_without_systemd(cli_server: Server) -> None:
    done = cli_server.cli("setup", "--service")
    assert done.returncode == 1
    assert "systemd is not running on this host" in done.stderr
    assert "brings the Docker engine, the pool and every database back" in done.stderr
