"""Shared fixtures: a real Docker engine and engine image, a throwaway PostgreSQL cluster for
metadata, and real `stagdb serve` processes reached over HTTP on 127.0.0.1."""

from __future__ import annotations

import itertools
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docker
import httpx
import pytest
from cryptography.fernet import Fernet

from app.config import Settings
from app.domain.spare_volumes import SpareMarks
from app.drivers import mounts
from app.drivers.ephemeral import ephemeral_ports, overlap
from app.drivers.forwarding import KernelForwarding
from app.drivers.storage import open_pool
from app.drivers.storage.zfs import ZfsPool
from app.setup.host import ensure_docker_engine
from app.setup.images import ensure_image
from tests import stalls
from tests.pools import (  # noqa: F401 - fixtures shared by every test directory
    KINDS,
    WORKSPACE_PREFIX,
    btrfs_mount,
    copy_dir,
    destroy_all_volumes,
    pool,
    workspace,
    xfs_mount,
    zfs_daemon,
    zfs_pool,
    zfs_setup_dir,
)

REPO = Path(__file__).resolve().parents[1]
STAGDB = str(Path(sys.executable).with_name("stagdb"))
PG_BIN = Path("/usr/lib/postgresql/15/bin")
TEST_HOST_PREFIX = "test-"
TMP_ROOT_PREFIX = "stagdb-tests-"
SHARED_SECRET_KEY = Fernet.generate_key().decode()
ARTIFACTS = REPO / "test-artifacts"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def remove_containers(client: docker.DockerClient, label: str) -> None:
    for container in client.containers.list(all=True, filters={"label": label}):
        container.remove(force=True, v=True)


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    """The real Docker engine; started by the product's own setup code when it is not running."""
    workdir = Path(tempfile.mkdtemp(prefix="stagdb-dockerd-"))
    was_running = _engine_answers()
    client = ensure_docker_engine(workdir, report=lambda line: None)
    for container in client.containers.list(all=True, filters={"label": "io.stagdb.managed=true"}):
        if _left_by_dead_test_run(container.labels):
            container.remove(force=True, v=True)
    yield client
    if not was_running:
        subprocess.run(["pkill", "-TERM", "-x", "dockerd"], check=False)
    shutil.rmtree(workdir, ignore_errors=True)


def _left_by_dead_test_run(labels: dict[str, str]) -> bool:
    """Test servers keep their data under a temporary dir named after the pytest process
    (stagdb-tests-<pid>-…): their containers are stale once that process is gone. A concurrent
    test run's containers, and every real install's, are left alone."""
    data_dir = Path(labels.get("io.stagdb.data-dir", "/"))
    if data_dir.parent.parent != Path(tempfile.gettempdir()) or not data_dir.parent.name.startswith(
        TMP_ROOT_PREFIX
    ):
        return False
    pid = data_dir.parent.name.removeprefix(TMP_ROOT_PREFIX).split("-")[0]
    return not (pid.isdigit() and Path(f"/proc/{pid}").exists())


def _engine_answers() -> bool:
    try:
        docker.from_env(timeout=5).ping()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_image(docker_client: docker.DockerClient) -> str:
    ensure_image(
        "postgresql", "15", "postgres:15", docker_client, log=lambda line: None, pull=False
    )
    return "postgres:15"


@dataclass
class MetadataCluster:
    port: int
    datadir: Path
    process: subprocess.Popen[bytes]

    def url(self, database: str) -> str:
        return f"postgres://stagdb@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        name = f"stagdb_test_{uuid.uuid4().hex[:8]}"
        subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "stagdb",
                name,
            ],
            check=True,
            capture_output=True,
        )
        return self.url(name)


@pytest.fixture(scope="session")
def metadata_cluster() -> Iterator[MetadataCluster]:
    """A throwaway PostgreSQL cluster from the machine's own binaries, run as `nobody`."""
    datadir = Path(tempfile.mkdtemp(prefix="stagdb-meta-"))
    shutil.chown(datadir, "nobody", "nogroup")

    def as_nobody(*argv: str) -> list[str]:
        return ["runuser", "-u", "nobody", "--", *argv]

    subprocess.run(
        as_nobody(str(PG_BIN / "initdb"), "-D", str(datadir / "data"), "-U", "stagdb",
                  "--auth=trust", "--no-locale", "-E", "UTF8"),
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    process = subprocess.Popen(
        as_nobody(str(PG_BIN / "postgres"), "-D", str(datadir / "data"), "-p", str(port),
                  "-k", str(datadir), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while subprocess.run(
        [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)], check=False
    ).returncode:
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the metadata PostgreSQL cluster did not start")
        time.sleep(0.1)
    yield MetadataCluster(port, datadir, process)
    process.terminate()
    process.wait(timeout=30)
    shutil.rmtree(datadir, ignore_errors=True)


@dataclass
class Server:
    """A running `stagdb serve` process with its own data dir, port range and host label."""

    base_url: str
    key: str
    data_dir: Path
    env: dict[str, str]
    host_name: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(default_factory=Path)
    executable: str = STAGDB  # the `stagdb` command to run: this checkout's, or a wheel's
    cwd: str | None = None

    @property
    def install_id(self) -> str:
        return (self.data_dir / "install-id").read_text().strip()

    def leftover_volumes(self) -> list[str]:
        """Database volumes still in the server's storage pool, other than its spares."""
        volumes = open_pool(self.env["STAGDB_STORAGE"], self.pool_path).list_volumes()
        spares = self.spare_volumes()
        return [volume for volume in volumes if volume.startswith("db-") and volume not in spares]

    def spare_volumes(self) -> list[str]:
        """The template clones the server keeps for its next creates: the volumes marked as
        spares in its pool."""
        return sorted(SpareMarks(self.pool_path).all())

    @property
    def pool_path(self) -> Path:
        return Path(self.env.get("STAGDB_POOL_PATH", self.data_dir / "pool"))

    @property
    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {self.key}"}, timeout=120
        )

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed when the process ends
        self.process = subprocess.Popen(
            [self.executable, "serve"], env=self.env, stdout=log, stderr=log,
            stdin=subprocess.DEVNULL, cwd=self.cwd,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"stagdb serve exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code in (200, 503):
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("stagdb serve did not answer within 60 s")

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGUSR1)  # the server dumps its threads' stacks
            time.sleep(1)
            self.process.kill()
            self.process.wait()
            raise RuntimeError(
                "stagdb serve did not stop within 90 s of SIGTERM; its log ends:\n"
                + self.log_path.read_text()[-6000:]
            ) from None
        finally:
            if self.process.poll() is not None:
                self.process = None

    def cli(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.executable, *argv], env=self.env, capture_output=True, text=True,
            timeout=300, cwd=self.cwd,
        )  # fmt: skip

    @staticmethod
    def cli_with_env(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([STAGDB, *argv], env=env, capture_output=True, text=True, timeout=300)


TEST_PORT_CLAIMS = Path(tempfile.gettempdir()) / "stagdb-test-port-claims"

# Database ports per server: blocks of 25 in 20000-22499, starting at a place chosen by pid so
# that concurrent test runs on one machine rarely race for the same ports. Their engines
# listen 10000 higher, below the kernel's ephemeral ports (32768 up): there, any client's
# outgoing connection could hold an engine's port as it starts ("Address already in use").
_BLOCKS = list(range(20000, 22500, 25))
_first_block = (os.getpid() * 7) % len(_BLOCKS)
_port_block = itertools.cycle(_BLOCKS[_first_block:] + _BLOCKS[:_first_block])
ENGINE_PORT_OFFSET = Settings.engine_port_offset  # the server's default


def quiet_port_range(count: int) -> str:
    """A STAGDB_PORT_RANGE of `count` ports, free now with their engine ports, above the
    blocks `launch_server` hands out and, engine ports too, outside the kernel's ephemeral
    ports: for tests that need every port of a small range to be taken by their own databases."""
    ephemeral = ephemeral_ports()
    lows = [
        low
        for low in range(_BLOCKS[-1] + 25, 65536 - ENGINE_PORT_OFFSET - count)
        if overlap((low, low + count - 1), ephemeral) is None
        and overlap((low + ENGINE_PORT_OFFSET, low + ENGINE_PORT_OFFSET + count - 1), ephemeral)
        is None
    ]
    random.shuffle(lows)
    for low in lows:
        ports = range(low, low + count)
        if all(_bindable(port) and _bindable(port + ENGINE_PORT_OFFSET) for port in ports):
            return f"{low}-{low + count - 1}"
    raise RuntimeError(f"no {count} free ports in a row outside the ephemeral range")


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def launch_server(
    metadata_url: str | None,
    tmp_root: Path,
    extra_env: dict[str, str] | None = None,
    executable: str = STAGDB,
    cwd: str | None = None,
    setup: bool = False,
) -> Server:
    """A server in its own data dir under `tmp_root`; with `setup`, `stagdb setup` prepares
    its host first (its pool, images and templates) as a user's install would."""
    host_name = f"{TEST_HOST_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:6]}"
    data_dir = tmp_root / host_name
    data_dir.mkdir(parents=True)
    low = next(_port_block)
    api_port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("STAGDB_")} | {
        "STAGDB_DATA_DIR": str(data_dir),
        "STAGDB_API_PORT": str(api_port),
        "STAGDB_PORT_RANGE": f"{low}-{low + 24}",
        "STAGDB_HOST_NAME": host_name,
        "STAGDB_POSTGRES_VERSIONS": "15",
        "STAGDB_MARIADB_VERSIONS": "10.11",
        "STAGDB_STORAGE": "copy",
        # Shared by concurrent test sessions, as installs on one host share theirs.
        "STAGDB_PORT_CLAIMS_DIR": str(TEST_PORT_CLAIMS),
        "STAGDB_SWEEP_INTERVAL": "1",
        "STAGDB_PULL_IMAGES": "false",  # test traffic stays on this machine
        # Webhook receivers in the tests listen on loopback, which webhooks may not reach
        # unless an operator allows it.
        "STAGDB_WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8",
        "STAGDB_RATE_LIMIT_GENERAL": "100000",
        "STAGDB_RATE_LIMIT_DATABASE": "100000",
        "STAGDB_RATE_LIMIT_BRANCHING": "100000",
    }
    if metadata_url:
        env["STAGDB_DATABASE_URL"] = metadata_url
        env["STAGDB_SECRET_KEY"] = SHARED_SECRET_KEY  # replicas on one metadata share it
    env.update(extra_env or {})
    server = Server(
        base_url=f"http://127.0.0.1:{api_port}/v1",
        key="",
        data_dir=data_dir,
        env=env,
        host_name=host_name,
        log_path=data_dir / "server.log",
        executable=executable,
        cwd=cwd,
    )
    if setup:
        prepared = server.cli("setup")
        assert prepared.returncode == 0, prepared.stdout + prepared.stderr
    created = server.cli("keys", "create", "--name", "tests")
    assert created.returncode == 0, created.stderr
    server.key = created.stdout.strip()
    server.start()
    return server


def shut_down(server: Server, client: docker.DockerClient) -> None:
    try:
        server.stop()
    finally:
        remove_containers(client, f"io.stagdb.install={server.install_id}")
        remove_forwarding(server.install_id)
        # Warm engines' volumes stay bound under the data dir while their engines run.
        mounts.detach_all_under(server.data_dir)
        shutil.rmtree(server.data_dir, ignore_errors=True)


def remove_forwarding(install_id: str) -> None:
    """The install's kernel forwarding table, which a server that was killed leaves behind."""
    if shutil.which("nft"):  # without nftables no server could have made one
        KernelForwarding(install_id, "127.0.0.1", TEST_PORT_CLAIMS).remove()


@pytest.fixture(scope="session")
def tmp_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix=f"{TMP_ROOT_PREFIX}{os.getpid()}-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest,
    docker_client: docker.DockerClient,
    postgres_image: str,
    metadata_cluster: MetadataCluster,
    tmp_root: Path,
) -> Iterator[Server]:
    """A server per metadata backend: every test using it runs against SQLite and PostgreSQL."""
    yield from server_per_metadata(request.param, metadata_cluster, tmp_root, docker_client)


def server_per_metadata(
    metadata: str,
    cluster: MetadataCluster,
    tmp_root: Path,
    docker_client: docker.DockerClient,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    url = cluster.create_database() if metadata == "postgres" else None
    running = launch_server(url, tmp_root, extra_env)
    yield running
    shut_down(running, docker_client)


@pytest.fixture(scope="module", params=KINDS)
def branching_server(
    request: pytest.FixtureRequest,
    docker_client: docker.DockerClient,
    postgres_image: str,
    tmp_root: Path,
) -> Iterator[Server]:
    """A server per storage backend, each on a real pool (loop btrfs, XFS, zfs-fuse, plain)."""
    yield from server_on_pool(request, request.param, tmp_root, docker_client)


def server_on_pool(
    request: pytest.FixtureRequest,
    kind: str,
    tmp_root: Path,
    docker_client: docker.DockerClient,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """A server on a pool of `kind` of its own, made on the session's pool of that kind."""
    name = f"srv{os.getpid()}{uuid.uuid4().hex[:4]}"
    if kind == "zfs":
        zfs_pool: ZfsPool = request.getfixturevalue("zfs_pool")
        pool_path = zfs_pool.create_volume(name)
    else:
        base = {"copy": "copy_dir", "reflink": "xfs_mount", "btrfs": "btrfs_mount"}[kind]
        pool_path = request.getfixturevalue(base) / name
    running = launch_server(
        None,
        tmp_root,
        {"STAGDB_STORAGE": kind, "STAGDB_POOL_PATH": str(pool_path), **(extra_env or {})},
    )
    yield running
    shut_down(running, docker_client)
    destroy_all_volumes(open_pool(kind, pool_path))
    if kind == "zfs":
        zfs_pool.destroy_volume(name)
    else:
        shutil.rmtree(pool_path, ignore_errors=True)


@pytest.fixture
def api(server: Server) -> Iterator[httpx.Client]:
    with server.client as client:
        yield client


SERVER_LOG_TAIL_LINES = 60
SERVER_STALL_LOG_LINES = 400  # room for every thread's stack


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test's report carries the end of each server log it used: what the server
    said at the moment is gone once its fixture tears down. When a server did not answer in
    time, the report also tells what it and the host were waiting for (tests/stalls.py)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.failed:
        return
    servers = {
        name: value
        for name, value in getattr(item, "funcargs", {}).items()
        if isinstance(value, Server)
    }
    stalled = call.excinfo is not None and call.excinfo.errisinstance(httpx.TimeoutException)
    if stalled:  # a server did not answer: what was it waiting for?
        for value in servers.values():
            if value.process is not None:
                stalls.dump_python_stacks(value.process)
        report.sections.append(("threads waiting in the kernel", stalls.threads_in_the_kernel()))
        zfs_log = stalls.zfs_fuse_log(WORKSPACE_PREFIX, SERVER_LOG_TAIL_LINES)
        if zfs_log is not None:
            report.sections.append(("zfs-fuse log (last lines)", zfs_log))
    tail_lines = SERVER_STALL_LOG_LINES if stalled else SERVER_LOG_TAIL_LINES
    for name, value in servers.items():
        if value.log_path.is_file():
            lines = value.log_path.read_text(errors="replace").splitlines()
            tail = "\n".join(lines[-tail_lines:])
            report.sections.append((f"server log of `{name}` (last lines)", tail))
