"""ensure_image against the real Docker engine: images built from host packages run the engines."""

from __future__ import annotations

import os
import shutil
import socket
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator

import docker
import docker.errors
import pytest
from docker.models.containers import Container

from app.setup.images import (
    BUILT_FROM_HOST_LABEL,
    RECIPE_LABEL,
    ImageUnavailable,
    ensure_image,
    host_versions,
)

pytestmark = pytest.mark.docker

SUITE_LABEL = "io.stagdb.test.suite"
LABELS = {"io.stagdb.test": "true", SUITE_LABEL: "images"}
# A private repository: each run really builds, and a failed pull attempt only reaches 127.0.0.1.
TEST_REPOSITORY_PREFIX = "localhost/stagdb-test-images-"
SERVICE_USER = "999:999"
PGDATA = "/var/lib/postgresql/data"
MARIADB_DATA = "/var/lib/mysql"
READY_TIMEOUT_S = 30.0
POSTGRES_PATH = (
    "/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)
POSTGRES_BINARIES = (
    "postgres", "initdb", "pg_ctl", "psql", "pg_isready", "pg_controldata", "pg_amcheck",
)  # fmt: skip

RunContainer = Callable[..., Container]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def remove_leftovers(client: docker.DockerClient) -> None:
    """Clear what an interrupted earlier run of this module left behind."""
    for container in client.containers.list(all=True, filters={"label": f"{SUITE_LABEL}=images"}):
        container.remove(force=True, v=True)
    for image in client.images.list(filters={"reference": f"{TEST_REPOSITORY_PREFIX}*"}):
        client.images.remove(image.id, force=True)


@pytest.fixture(scope="module")
def client(docker_client: docker.DockerClient) -> Iterator[docker.DockerClient]:
    remove_leftovers(docker_client)
    yield docker_client
    remove_leftovers(docker_client)


def build_test_image(client: docker.DockerClient, engine: str, version: str) -> str:
    tag = f"{TEST_REPOSITORY_PREFIX}{engine}:{version}-{uuid.uuid4().hex[:8]}"
    assert ensure_image(engine, version, tag, client, log=lambda line: None) == "built"
    started = time.monotonic()
    assert ensure_image(engine, version, tag, client, log=lambda line: None) == "present"
    assert time.monotonic() - started < 1.0
    assert client.images.get(tag).labels[BUILT_FROM_HOST_LABEL] == "true"
    return tag


@pytest.fixture(scope="module")
def postgres_image(client: docker.DockerClient) -> str:
    return build_test_image(client, "postgresql", "15")


@pytest.fixture(scope="module")
def mariadb_image(client: docker.DockerClient) -> str:
    versions = host_versions("mariadb")
    if not versions:
        pytest.skip("mariadbd is not installed on this host: apt-get install -y mariadb-server")
    return build_test_image(client, "mariadb", versions[0])


@pytest.fixture
def data_dir() -> Iterator[str]:
    path = tempfile.mkdtemp(prefix="stagdb-test-images-")
    os.chown(path, 999, 999)
    os.chmod(path, 0o700)
    yield path
    shutil.rmtree(path)


@pytest.fixture
def run_container(client: docker.DockerClient, data_dir: str) -> Iterator[RunContainer]:
    """Start labelled, host-networked containers as uid 999; all are removed afterwards,
    before the test's data dir is (asking for it orders the teardowns: a server still
    running would write into the data dir while it is deleted)."""
    started: list[Container] = []

    def run(image: str, command: list[str], mounts: dict[str, str] | None = None) -> Container:
        binds = {host: {"bind": target, "mode": "rw"} for host, target in (mounts or {}).items()}
        container = client.containers.run(
            image,
            command,
            detach=True,
            user=SERVICE_USER,
            network_mode="host",
            labels=LABELS,
            volumes=binds,
        )
        started.append(container)
        return container

    yield run
    for container in started:
        container.remove(force=True, v=True)


def output_of(container: Container) -> str:
    """Wait for a one-shot container to finish and return its output; fail if it failed."""
    status = container.wait(timeout=120)["StatusCode"]
    output = container.logs().decode(errors="replace")
    assert status == 0, output
    return output


def wait_until_succeeds(container: Container, command: list[str]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        container.reload()
        assert container.status == "running", container.logs().decode(errors="replace")
        exit_code, output = container.exec_run(command, user=SERVICE_USER)
        if exit_code == 0:
            return
        assert time.monotonic() < deadline, f"{command} kept failing: {output!r}"
        time.sleep(0.1)


def exec_output(container: Container, command: list[str]) -> str:
    exit_code, output = container.exec_run(command, user=SERVICE_USER)
    text = output.decode(errors="replace")
    assert exit_code == 0, text
    return text.strip()


def test_official_tag_is_available(client: docker.DockerClient) -> None:
    outcome = ensure_image("postgresql", "15", "postgres:15", client, pull=False)
    assert outcome in {"present", "built"}
    assert client.images.get("postgres:15")


def test_missing_host_packages_are_named_with_the_fix(client: docker.DockerClient) -> None:
    tag = f"{TEST_REPOSITORY_PREFIX}postgresql:99-{uuid.uuid4().hex[:8]}"
    with pytest.raises(ImageUnavailable, match=r"apt-get install -y postgresql-99"):
        ensure_image("postgresql", "99", tag, client, log=lambda line: None)


def test_postgres_image_follows_the_official_layout(
    client: docker.DockerClient, postgres_image: str, run_container: RunContainer
) -> None:
    config = client.images.get(postgres_image).attrs["Config"]
    assert f"PATH={POSTGRES_PATH}" in config["Env"]
    assert f"PGDATA={PGDATA}" in config["Env"]
    assert config["Cmd"] == ["postgres"]
    script = (
        f"for binary in {' '.join(POSTGRES_BINARIES)}; do command -v $binary; done; "
        f"ls -ldn /tmp /run/postgresql /var/run/postgresql/ {PGDATA}; cat /etc/passwd /etc/group"
    )
    lines = output_of(run_container(postgres_image, ["sh", "-c", script])).splitlines()
    assert lines[: len(POSTGRES_BINARIES)] == [
        f"/usr/lib/postgresql/15/bin/{binary}" for binary in POSTGRES_BINARIES
    ]
    modes = {line.split()[-1]: line.split()[:4] for line in lines if line.startswith("d")}
    assert modes["/tmp"] == ["drwxrwxrwt", "2", "0", "0"]
    assert modes["/run/postgresql"][0] == modes["/var/run/postgresql/"][0] == "drwxrwsrwt"
    assert modes["/run/postgresql"][2:] == ["999", "999"]
    assert modes[PGDATA][2:] == ["999", "999"]
    assert "postgres:x:999:999:postgres:/var/lib/postgresql:/bin/sh" in lines
    assert "postgres:x:999:" in lines


def test_postgres_image_initialises_serves_and_runs_amcheck(
    postgres_image: str, run_container: RunContainer, data_dir: str
) -> None:
    port = str(free_port())
    initdb = [
        "initdb", "-D", PGDATA, "-U", "postgres", "--auth-local=trust",
        "--auth-host=scram-sha-256", "--no-locale", "-E", "UTF8",
    ]  # fmt: skip
    output_of(run_container(postgres_image, initdb, {data_dir: PGDATA}))
    server = run_container(
        postgres_image,
        ["postgres", "-D", PGDATA, "-p", port, "-c", "listen_addresses=127.0.0.1"],
        {data_dir: PGDATA},
    )
    wait_until_succeeds(server, ["pg_isready", "-h", "127.0.0.1", "-p", port])

    def psql(statement: str) -> str:
        command = ["psql", "-h", "/var/run/postgresql", "-U", "postgres", "-p", port]
        return exec_output(server, [*command, "-X", "-v", "ON_ERROR_STOP=1", "-tAc", statement])

    assert psql("select 1") == "1"
    assert psql("CREATE EXTENSION amcheck") == "CREATE EXTENSION"
    assert psql("SELECT bt_index_check('pg_class_oid_index'::regclass)") == ""


def test_postgres_image_initialises_with_a_utf8_locale(
    postgres_image: str, run_container: RunContainer, data_dir: str
) -> None:
    initdb = ["initdb", "-D", PGDATA, "-U", "postgres", "--locale=C.UTF-8"]
    output = output_of(run_container(postgres_image, initdb, {data_dir: PGDATA}))
    assert 'initialized with locale "C.UTF-8"' in output
    assert 'default database encoding has accordingly been set to "UTF8"' in output


def test_mariadb_image_installs_and_serves(
    mariadb_image: str, run_container: RunContainer, data_dir: str
) -> None:
    port = str(free_port())
    install = [
        "mariadb-install-db", "--no-defaults", f"--datadir={MARIADB_DATA}",
        "--auth-root-authentication-method=normal", "--skip-test-db",
    ]  # fmt: skip
    output_of(run_container(mariadb_image, install, {data_dir: MARIADB_DATA}))
    serve = [
        "mariadbd", "--no-defaults", f"--datadir={MARIADB_DATA}", f"--port={port}",
        "--bind-address=127.0.0.1",
    ]  # fmt: skip
    server = run_container(mariadb_image, serve, {data_dir: MARIADB_DATA})
    tcp = ["-h", "127.0.0.1", "-P", port, "-u", "root"]
    wait_until_succeeds(server, ["mariadb-admin", "--no-defaults", *tcp, "ping"])
    assert exec_output(server, ["mariadb", "--no-defaults", *tcp, "-N", "-e", "select 1"]) == "1"
    via_socket = ["mariadb", "--no-defaults", "-u", "root", "-N", "-e", "select 2"]
    assert exec_output(server, via_socket) == "2"
    dump = ["mariadb-dump", "--no-defaults", *tcp, "--no-data", "mysql", "db"]
    assert "CREATE TABLE `db`" in exec_output(server, dump)


def test_an_image_built_from_an_older_recipe_is_rebuilt(client: docker.DockerClient) -> None:
    """A host upgraded to a recipe that adds tools (mariadb-dump, for imports) rebuilds the
    image it made before; one already current is kept."""
    tag = f"{TEST_REPOSITORY_PREFIX}postgresql:15-{uuid.uuid4().hex[:8]}"
    repository, version = tag.rsplit(":", 1)
    with tempfile.TemporaryDirectory() as scratch:
        tarball = os.path.join(scratch, "rootfs.tar")
        with tarfile.open(tarball, "w") as tar:
            tar.add(__file__, arcname="only-file")
        changes = [f"LABEL {BUILT_FROM_HOST_LABEL}=true", f"LABEL {RECIPE_LABEL}=0"]
        client.api.import_image(src=tarball, repository=repository, tag=version, changes=changes)
    older = client.images.get(tag).id
    assert ensure_image("postgresql", "15", tag, client, log=lambda line: None) == "rebuilt"
    rebuilt = client.images.get(tag)
    assert rebuilt.id != older and rebuilt.labels[RECIPE_LABEL] != "0"
    assert ensure_image("postgresql", "15", tag, client, log=lambda line: None) == "present"
    client.images.remove(older)
