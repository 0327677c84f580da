"""Kernel forwarding, for real: nftables on this host, real sockets, a real server with real
PostgreSQL containers and psql.

While a database runs, a client on this host (or in a network namespace of the test's own,
standing for another host) reaches its engine through the kernel: it still answers with the
server process frozen. Stopping (by hand or when idle) gives the port back to
the front, which wakes the database for the next client; a forwarded connection that stays open
counts as a client and keeps the database awake; the server's table is gone when it stops."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import httpx
import pytest

from app.drivers.forwarding import KernelForwarding
from app.drivers.socket_table import forwarded_clients
from tests.conftest import Server, free_port, launch_server, quiet_port_range, shut_down
from tests.integration.test_upkeep import (
    PSQL,
    create,
    psql,
    psql_session,
    status,
    update,
    wait_until,
)

pytestmark = pytest.mark.docker


def nft_tables() -> str:
    return subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout


class Listener:
    """A stand-in engine on 127.0.0.1 that greets every client and keeps the connection."""

    def __init__(self) -> None:
        self.port = free_port()
        self.socket = socket.create_server(("127.0.0.1", self.port))
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            connection.sendall(b"engine here")
            self.accepted.append(connection)

    def close(self) -> None:
        self.socket.close()
        for connection in self.accepted:
            connection.close()


def test_the_kernel_forwards_counts_and_withdraws_a_port(tmp_path: Path) -> None:
    forwarding = KernelForwarding(f"sdbtest{os.getpid() % 1000:03d}", "127.0.0.1", tmp_path)
    engine = Listener()
    # Outside the kernel's ephemeral ports: there a server another suite starts meanwhile
    # could be given the same port for its API, and its clients' connections would be
    # redirected, and counted, here.
    published = int(quiet_port_range(1).partition("-")[0])
    try:
        forwarding.prepare()
        forwarding.prepare()  # idempotent
        forwarding.forward(published, engine.port)
        assert set(forwarding.forwards()) == {published}
        clients = [socket.create_connection(("127.0.0.1", published), timeout=5) for _ in "ab"]
        assert [client.recv(64) for client in clients] == [b"engine here"] * 2
        assert forwarding.forwards()[published].connections == 2
        assert forwarded_clients({engine.port: published}) == {published: 2}
        clients.pop().close()
        wait_until(lambda: forwarded_clients({engine.port: published}) == {published: 1})
        # The server's own connections to the engine port are not clients.
        own = socket.create_connection(("127.0.0.1", engine.port), timeout=5)
        assert forwarded_clients({engine.port: published}) == {published: 1}
        own.close()

        forwarding.withdraw(published)
        forwarding.withdraw(published)  # withdrawn already is fine
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", published), timeout=5)
        assert clients[0].send(b"still open") == 10, "a forwarded connection outlives it"
        assert forwarding.forwards() == {}
    finally:
        forwarding.remove()
        engine.close()
    assert forwarding.table not in nft_tables()
    assert forwarding.forwards() == {}, "a reading makes the table again when it is gone"
    forwarding.remove()


def test_many_ports_are_forwarded_and_withdrawn_in_one_change(tmp_path: Path) -> None:
    """As a server does for every running database when it starts (or for ten new branches):
    one change, which takes over a port forwarded elsewhere and ignores one already gone."""
    forwarding = KernelForwarding(f"sdbmany{os.getpid() % 1000:03d}", "127.0.0.1", tmp_path)
    engines = [Listener() for _ in range(3)]
    low = int(quiet_port_range(3).partition("-")[0])
    published = [low, low + 1, low + 2]
    try:
        forwarding.prepare()
        forwarding.forward(published[0], engines[2].port)  # stale: to another engine
        wanted = {port: engine.port for port, engine in zip(published, engines, strict=True)}
        forwarding.forward_all(wanted)
        forwards = forwarding.forwards()
        assert {port: forward.engine_port for port, forward in forwards.items()} == wanted
        for port in published:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
                assert client.recv(64) == b"engine here"
        forwarding.withdraw(published[1])  # gone already: fine
        forwarding.withdraw_all(published)
        assert forwarding.forwards() == {}
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", published[2]), timeout=5)
    finally:
        forwarding.remove()
        for engine in engines:
            engine.close()
    assert forwarding.table not in nft_tables()


@pytest.fixture(scope="module")
def forwarding_server(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> Iterator[Server]:
    running = launch_server(None, tmp_root, {"STAGDB_JOB_INTERVAL": "0.5"})
    yield running
    shut_down(running, docker_client)


@pytest.fixture(scope="module")
def api(forwarding_server: Server) -> Iterator[httpx.Client]:
    with forwarding_server.client as client:
        yield client


def front_figures(api: httpx.Client, name: str) -> dict[str, object]:
    answer = api.get(f"/databases/{name}/stats")
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["data"]["front"]["figures"])


def test_a_running_database_answers_with_the_server_frozen(
    api: httpx.Client, forwarding_server: Server
) -> None:
    database = create(api, "kernel-path")
    uri = database["connection"]["uri"]
    try:
        wait_until(lambda: front_figures(api, "kernel-path")["path"] == "kernel", what="forwarded")
        assert forwarding_server.process is not None
        os.kill(forwarding_server.process.pid, signal.SIGSTOP)
        try:
            answered = psql(uri, "SELECT 6 * 7", timeout_s=20)
        finally:
            os.kill(forwarding_server.process.pid, signal.SIGCONT)
        assert (answered.returncode, answered.stdout.strip()) == (0, "42"), answered.stderr

        with psql_session(uri):
            assert front_figures(api, "kernel-path")["client_connections"] == 1
        wait_until(lambda: front_figures(api, "kernel-path")["client_connections"] == 0)

        assert api.post("/databases/kernel-path/stop").status_code == 200
        assert front_figures(api, "kernel-path")["path"] == "front"
        refused = psql(uri, "SELECT 1")
        assert refused.returncode != 0 and "is stopped" in refused.stderr, refused.stderr
        assert api.post("/databases/kernel-path/start").status_code == 200
        wait_until(lambda: front_figures(api, "kernel-path")["path"] == "kernel", what="again")
        assert psql(uri, "SELECT 1").returncode == 0
    finally:
        api.delete("/databases/kernel-path")


def test_an_idle_forwarded_database_stops_and_wakes_through_the_front(
    api: httpx.Client,
) -> None:
    database = create(api, "kernel-idle")
    uri = database["connection"]["uri"]
    try:
        wait_until(lambda: front_figures(api, "kernel-idle")["path"] == "kernel")
        with psql_session(uri):
            update(api, "kernel-idle", auto_stop_after="2s")
            ends = time.monotonic() + 5  # past auto_stop_after: the open connection keeps it up
            while time.monotonic() < ends:
                assert status(api, "kernel-idle") == "running", "stopped with a client connected"
                time.sleep(0.25)
            assert front_figures(api, "kernel-idle")["client_connections"] == 1
        wait_until(lambda: status(api, "kernel-idle") == "stopped", what="stopped when idle")
        assert front_figures(api, "kernel-idle")["path"] == "front"
        with psql_session(uri):  # held by the front while the database wakes
            wait_until(lambda: status(api, "kernel-idle") == "running", what="woken")
            wait_until(lambda: front_figures(api, "kernel-idle")["path"] == "kernel", what="again")
            woken = psql(uri, "SELECT 'awake'")
            assert (woken.returncode, woken.stdout.strip()) == (0, "awake"), woken.stderr
    finally:
        api.delete("/databases/kernel-idle")


def test_the_server_removes_its_table_when_it_stops(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> None:
    server = launch_server(None, tmp_root)
    table = f"stagdb_{server.install_id}"
    try:
        wait_until(lambda: table in nft_tables(), what="the table made at start")
        doctor = server.cli("doctor")
        assert "ok      forwarding: nftables forwards" in doctor.stdout, doctor.stdout
        server.stop()
        assert table not in nft_tables()
    finally:
        shut_down(server, docker_client)


def test_forwarding_off_carries_every_connection_through_the_front(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> None:
    server = launch_server(None, tmp_root, {"STAGDB_KERNEL_FORWARDING": "false"})
    try:
        with server.client as client:
            database = create(client, "front-only")
            with psql_session(database["connection"]["uri"]):
                figures = front_figures(client, "front-only")
            assert (figures["path"], figures["client_connections"]) == ("front", 1)
        assert f"stagdb_{server.install_id}" not in nft_tables()
        doctor = server.cli("doctor")
        assert "ok      forwarding: kernel forwarding turned off" in doctor.stdout
        unusable = server.cli_with_env(
            server.env | {"STAGDB_KERNEL_FORWARDING": "true", "STAGDB_BIND_ADDRESS": "::1"},
            "doctor",
        )
        assert "PROBLEM forwarding: kernel forwarding unavailable" in unusable.stdout
        assert "STAGDB_KERNEL_FORWARDING=false" in unusable.stdout
    finally:
        shut_down(server, docker_client)


class Namespace:
    """A network namespace of the test's own, joined to this host by a veth pair: a client
    there is another host as far as the server can tell."""

    def __init__(self) -> None:
        tag = f"sdbt{os.getpid() % 100000}"
        self.name, self.host_side, self.client_side = tag, f"{tag}h", f"{tag}c"
        subnet = os.getpid() % 250 + 1
        self.host_address, self.client_address = f"10.231.{subnet}.1", f"10.231.{subnet}.2"
        for argv in (
            ["ip", "netns", "add", self.name],
            ["ip", "link", "add", self.host_side, "type", "veth", "peer", "name", self.client_side],
            ["ip", "link", "set", self.client_side, "netns", self.name],
            ["ip", "addr", "add", f"{self.host_address}/30", "dev", self.host_side],
            ["ip", "link", "set", self.host_side, "up"],
            *(
                ["ip", "netns", "exec", self.name, *command]
                for command in (
                    ["ip", "addr", "add", f"{self.client_address}/30", "dev", self.client_side],
                    ["ip", "link", "set", self.client_side, "up"],
                    ["ip", "link", "set", "lo", "up"],
                )
            ),
        ):
            subprocess.run(argv, check=True, capture_output=True)

    def run(self, *argv: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["ip", "netns", "exec", self.name, *argv], capture_output=True, text=True,
            timeout=timeout_s, env={"PATH": "/usr/bin:/bin", "PGCONNECT_TIMEOUT": "20"},
        )  # fmt: skip

    def route_localnet(self) -> str:
        return Path(f"/proc/sys/net/ipv4/conf/{self.host_side}/route_localnet").read_text().strip()

    def remove(self) -> None:
        subprocess.run(["ip", "link", "del", self.host_side], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


@pytest.fixture
def namespace() -> Iterator[Namespace]:
    made = Namespace()
    yield made
    made.remove()


def test_clients_from_another_host_are_forwarded_too(
    namespace: Namespace, docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> None:
    server = launch_server(
        None,
        tmp_root,
        {"STAGDB_BIND_ADDRESS": namespace.host_address, "STAGDB_JOB_INTERVAL": "0.5"},
    )
    try:
        with server.client as client:
            database = create(client, "remote-path")
            uri = database["connection"]["uri"]
            assert f"@{namespace.host_address}:" in uri
            assert namespace.route_localnet() == "1"
            wait_until(lambda: front_figures(client, "remote-path")["path"] == "kernel")
            assert server.process is not None
            os.kill(server.process.pid, signal.SIGSTOP)
            try:
                remote = namespace.run(PSQL, uri, "-XAtc", "SELECT 'from afar'", timeout_s=20)
                local = psql(uri, "SELECT 'from here'", timeout_s=20)
            finally:
                os.kill(server.process.pid, signal.SIGCONT)
            assert (remote.returncode, remote.stdout.strip()) == (0, "from afar"), remote.stderr
            assert (local.returncode, local.stdout.strip()) == (0, "from here"), local.stderr

            update(client, "remote-path", auto_stop_after="2s")
            session = subprocess.Popen(
                ["ip", "netns", "exec", namespace.name, PSQL, uri, "-X", "-q"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            try:
                assert session.stdin is not None
                session.stdin.write("SELECT 1;\n")
                session.stdin.flush()
                wait_until(lambda: front_figures(client, "remote-path")["client_connections"] == 1)
                ends = time.monotonic() + 4  # past auto_stop_after: the remote client keeps it up
                while time.monotonic() < ends:
                    assert status(client, "remote-path") == "running"
                    time.sleep(0.25)
            finally:
                assert session.stdin is not None
                session.stdin.close()
                session.wait(timeout=30)
            wait_until(lambda: status(client, "remote-path") == "stopped", what="idle stop")
            woken = namespace.run(PSQL, uri, "-XAtc", "SELECT 'woken from afar'")
            assert (woken.returncode, woken.stdout.strip()) == (0, "woken from afar"), woken.stderr
        server.stop()
        assert f"stagdb_{server.install_id}" not in nft_tables()
        assert namespace.route_localnet() == "0", "route_localnet is put back as it was"
    finally:
        shut_down(server, docker_client)
