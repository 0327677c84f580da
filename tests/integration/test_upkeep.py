"""Databases that look after themselves, for real through HTTP, real containers and real
clients: expiry with branches, protection, scheduled snapshots with retention, auto-stop and
wake on connect through the connection front (psql, pgbench, the MariaDB client), timed work
across a restart, and two replicas on one host running each job once. Events reach a real
webhook receiver."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest

from app.domain.spare_volumes import SpareMarks
from tests.conftest import (
    MetadataCluster,
    Server,
    free_port,
    launch_server,
    server_per_metadata,
    shut_down,
)
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.docker

PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"
PSQL = "/usr/bin/psql"
MARIADB = "/usr/bin/mariadb"
CLIENT_ENV = {"PATH": "/usr/bin:/bin", "PGCONNECT_TIMEOUT": "60"}


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def upkeep_server(
    request: pytest.FixtureRequest,
    docker_client: docker.DockerClient,
    postgres_image: str,
    metadata_cluster: MetadataCluster,
    tmp_root: Path,
) -> Iterator[Server]:
    yield from server_per_metadata(request.param, metadata_cluster, tmp_root, docker_client)


@pytest.fixture(scope="module")
def api(upkeep_server: Server, receiver: Receiver) -> Iterator[httpx.Client]:
    with upkeep_server.client as client:
        subscribe(client, receiver)
        yield client


def subscribe(client: httpx.Client, receiver: Receiver) -> None:
    hook = client.post("/webhooks", json={"url": receiver.url, "events": ["*"]})
    assert hook.status_code == 201, hook.text


def wait_until(check: Callable[[], bool], timeout_s: float = 30, what: str = "") -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        time.sleep(0.2)
    return time.monotonic() - started


def create(api: httpx.Client, name: str, **fields: Any) -> dict[str, Any]:
    answer = api.post("/databases", json={"name": name, "type": "postgresql", **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]


def branch(api: httpx.Client, parent: str, name: str, **fields: Any) -> dict[str, Any]:
    answer = api.post(f"/databases/{parent}/branches", json={"name": name, **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]


def update(api: httpx.Client, name: str, **fields: Any) -> dict[str, Any]:
    answer = api.put(f"/databases/{name}", json=fields)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def gone(api: httpx.Client, name: str) -> bool:
    return api.get(f"/databases/{name}").status_code == 404


def status(api: httpx.Client, name: str) -> str:
    return str(api.get(f"/databases/{name}").json()["data"]["status"])


def events_of(receiver: Receiver, database_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (r.event, r.payload["data"])
        for r in list(receiver.received)
        if r.event != "webhook.test" and r.payload["data"]["database_id"] == database_id
    ]


def psql(uri: str, sql: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PSQL, uri, "-XAtc", sql], capture_output=True, text=True, timeout=timeout_s,
        env=CLIENT_ENV,
    )  # fmt: skip


def test_expiry_deletes_a_database_with_its_branches(api: httpx.Client, receiver: Receiver) -> None:
    parent = create(api, "expiring")
    assert (parent["expires_at"], parent["protected"]) == (None, False)
    child = branch(api, "expiring", "expiring-child")
    grandchild = branch(api, "expiring-child", "expiring-grandchild")
    kept = create(api, "kept-after-all", ttl="2s")
    assert kept["expires_at"] is not None
    assert update(api, "kept-after-all", ttl=None)["expires_at"] is None

    changed = update(api, "expiring", ttl="1s")
    assert changed["expires_at"] is not None
    wait_until(lambda: gone(api, "expiring"), what="the expired database is deleted")
    for name in ("expiring-child", "expiring-grandchild"):
        assert gone(api, name)
    wait_until(
        lambda: any(e == "database.deleted" for e, _ in events_of(receiver, parent["id"])),
        what="its events are delivered",
    )
    for database, deleted in ((parent, "database.deleted"), (child, "branch.deleted"),
                              (grandchild, "branch.deleted")):  # fmt: skip
        names = [event for event, _ in events_of(receiver, database["id"])]
        assert "database.expired" in names, names
        assert names.index("database.expired") < names.index(deleted), names
        assert names.count("database.expired") == 1
    time.sleep(1.5)
    assert not gone(api, "kept-after-all"), "ttl: null cleared the expiry"
    assert api.delete("/databases/kept-after-all").status_code == 200


def test_an_expiry_that_would_reach_a_protected_branch_deletes_nothing(
    api: httpx.Client, receiver: Receiver
) -> None:
    parent = create(api, "expiring-guarded")
    guarded = branch(api, "expiring-guarded", "guarded-branch", protected=True)
    assert guarded["protected"] is True
    update(api, "expiring-guarded", expires_at=_in_seconds(1))
    wait_until(
        lambda: any(
            "guarded-branch" in (data.get("reason") or "")
            for _, data in events_of(receiver, parent["id"])
        ),
        what="the postponed expiry says which database is protected",
    )
    assert not gone(api, "expiring-guarded") and not gone(api, "guarded-branch")
    update(api, "guarded-branch", protected=False)
    wait_until(lambda: gone(api, "expiring-guarded") and gone(api, "guarded-branch"))


def test_protection_refuses_delete_cascade_reset_until_cleared(api: httpx.Client) -> None:
    create(api, "guarded-root", protected=True)
    for answer in (
        api.delete("/databases/guarded-root"),
        api.post("/databases/guarded-root/reset", json={}),
    ):
        assert answer.status_code in (409, 400), answer.text
        if answer.status_code == 409:
            assert answer.json()["error"]["code"] == "RESOURCE_BUSY"
            assert "'guarded-root' is protected" in answer.json()["error"]["message"]
    snapshot = api.post("/databases/guarded-root/snapshots", json={"name": "before"})
    assert snapshot.status_code == 201, snapshot.text
    reset = api.post(
        "/databases/guarded-root/reset", json={"snapshot_id": snapshot.json()["data"]["id"]}
    )
    assert reset.status_code == 409 and "protected" in reset.json()["error"]["message"]

    create(api, "open-root")
    branch(api, "open-root", "open-middle")
    branch(api, "open-middle", "guarded-leaf", protected=True)
    refused = api.delete("/databases/open-root?cascade=true")
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["success"] is False and body["error"]["code"] == "RESOURCE_BUSY"
    assert "'guarded-leaf' is protected" in body["error"]["message"]
    for name in ("open-root", "open-middle", "guarded-leaf"):
        assert not gone(api, name), "a refused cascade deletes nothing"
    middle_snapshot = api.get("/databases/open-middle").json()["data"]["snapshot_id"]
    refused = api.delete(f"/snapshots/{middle_snapshot}?cascade=true")
    assert refused.status_code == 409 and "guarded-leaf" in refused.json()["error"]["message"]
    assert not gone(api, "open-middle")

    update(api, "guarded-leaf", protected=False)
    assert api.delete("/databases/open-root?cascade=true").status_code == 200
    update(api, "guarded-root", protected=False)
    assert api.delete("/databases/guarded-root").status_code == 200


def test_a_schedule_keeps_the_newest_and_the_pinned_snapshots(
    api: httpx.Client, receiver: Receiver
) -> None:
    database = create(api, "scheduled", snapshot_schedule={"every": "2s", "keep": 2})
    assert database["snapshot_schedule"] == {"every": "2s", "keep": 2}

    def scheduled() -> list[dict[str, Any]]:
        found = api.get("/databases/scheduled/snapshots?limit=100").json()["data"]
        return [s for s in found if s["scheduled"]]

    wait_until(lambda: len(scheduled()) >= 1, what="a first scheduled snapshot")
    first = scheduled()[0]
    assert first["name"].startswith("scheduled-")
    pinned = api.post(f"/snapshots/{first['id']}/branches", json={"name": "pinning-branch"})
    assert pinned.status_code == 201, pinned.text
    mine = api.post("/databases/scheduled/snapshots", json={"name": "taken-by-hand"})
    assert mine.status_code == 201 and mine.json()["data"]["scheduled"] is False
    wait_until(
        lambda: sum(
            1 for e, d in events_of(receiver, database["id"])
            if e == "snapshot.created" and d.get("scheduled")
        ) >= 5,
        timeout_s=40, what="five scheduled snapshots",
    )  # fmt: skip
    update(api, "scheduled", snapshot_schedule=None)
    time.sleep(1.5)  # a run under way when the schedule was cleared finishes
    left = api.get("/databases/scheduled/snapshots?limit=100").json()["data"]
    names = [s["name"] for s in left]
    assert "taken-by-hand" in names, "a schedule never deletes a snapshot a user took"
    assert first["id"] in [s["id"] for s in left], "nor one a branch depends on"
    unpinned = [s for s in left if s["scheduled"] and s["id"] != first["id"]]
    assert len(unpinned) == 2, names
    created = [d for e, d in events_of(receiver, database["id"]) if e == "snapshot.created"]
    assert all(d["scheduled"] is (d["snapshot_id"] != mine.json()["data"]["id"])
               for d in created if "scheduled" in d)  # fmt: skip
    deleted = [d for e, d in events_of(receiver, database["id"]) if e == "snapshot.deleted"]
    assert deleted and all(d["scheduled"] for d in deleted)
    assert api.delete("/databases/scheduled?cascade=true").status_code == 200


def test_an_idle_database_stops_and_the_next_client_wakes_it(
    api: httpx.Client, receiver: Receiver
) -> None:
    database = create(api, "sleepy", auto_stop_after="3s")
    assert database["auto_stop_after"] == "3s"
    uri = database["connection"]["uri"]
    assert psql(uri, "CREATE TABLE kept AS SELECT 42 AS answer").returncode == 0

    for attempt, client in enumerate(("psql", "pgbench")):
        wait_until(lambda: status(api, "sleepy") == "stopped", what="stopped when idle")
        if client == "psql":
            result = psql(uri, "SELECT answer FROM kept")
            assert (result.returncode, result.stdout.strip()) == (0, "42"), result.stderr
        else:
            init = subprocess.run([PGBENCH, "-i", "-s", "1", "-q", uri], capture_output=True,
                                  text=True, timeout=120, env=CLIENT_ENV)  # fmt: skip
            assert init.returncode == 0, init.stderr
            bench = subprocess.run([PGBENCH, "-S", "-c", "2", "-t", "50", uri],
                                   capture_output=True, text=True, timeout=120,
                                   env=CLIENT_ENV)  # fmt: skip
            assert bench.returncode == 0, bench.stderr
        assert status(api, "sleepy") == "running"
        wait_until(lambda wanted=attempt + 1: [
            d.get("reason") for e, d in events_of(receiver, database["id"])
            if e == "database.started"].count("connection") == wanted)  # type: ignore[misc]  # fmt: skip
    stopped = [d.get("reason") for e, d in events_of(receiver, database["id"])
               if e == "database.stopped"]  # fmt: skip
    assert stopped.count("idle") >= 2

    with psql_session(uri):
        time.sleep(5)  # an open connection keeps it awake past auto_stop_after
        assert status(api, "sleepy") == "running"
        stats = api.get("/databases/sleepy/stats").json()["data"]
        assert stats["front"]["figures"]["client_connections"] == 1

    assert api.post("/databases/sleepy/stop").status_code == 200
    refused = psql(uri, "SELECT 1")
    assert refused.returncode != 0 and "stopped" in refused.stderr, refused.stderr
    assert status(api, "sleepy") == "stopped", "a database its user stopped stays stopped"
    assert api.delete("/databases/sleepy").status_code == 200


class psql_session:
    """An open psql connection, idle, for as long as the block runs."""

    def __init__(self, uri: str) -> None:
        self.uri = uri

    def __enter__(self) -> None:
        self.process = subprocess.Popen(
            [PSQL, self.uri, "-X", "-q"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=CLIENT_ENV,
        )  # fmt: skip
        assert self.process.stdin is not None
        self.process.stdin.write("SELECT 1;\n")
        self.process.stdin.flush()
        time.sleep(1)

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def test_the_mariadb_client_wakes_a_database_through_the_same_uri(
    api: httpx.Client, upkeep_server: Server
) -> None:
    answer = api.post(
        "/databases", json={"name": "sleepy-maria", "type": "mariadb", "auto_stop_after": "3s"}
    )
    if answer.status_code == 400 and "mariadb" in answer.text and "version" in answer.text:
        pytest.fail(f"the MariaDB image is missing: {answer.text}")
    assert answer.status_code == 201, answer.text
    connection = answer.json()["data"]["connection"]
    wait_until(lambda: status(api, "sleepy-maria") == "stopped", what="stopped when idle")
    result = subprocess.run(
        [MARIADB, "-h", connection["host"], "-P", str(connection["port"]), "-u",
         connection["username"], f"-p{connection['password']}", "--protocol=TCP",
         "--connect-timeout=60", connection["database"], "-Nse", "SELECT 6*7"],
        capture_output=True, text=True, timeout=120, env=CLIENT_ENV,
    )  # fmt: skip
    assert (result.returncode, result.stdout.strip()) == (0, "42"), result.stderr
    assert status(api, "sleepy-maria") == "running"
    assert api.delete("/databases/sleepy-maria").status_code == 200


def _in_seconds(seconds: float) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.isoformat().replace("+00:00", "Z")


def replica_of(first: Server) -> Server:
    """A second `stagdb serve` on the same host, install, pool and metadata."""
    port = free_port()
    env = first.env | {"STAGDB_API_PORT": str(port)}
    second = Server(
        base_url=f"http://127.0.0.1:{port}/v1", key=first.key, data_dir=first.data_dir, env=env,
        host_name=first.host_name, log_path=first.data_dir / "replica.log",
    )  # fmt: skip
    second.start()
    return second


def test_two_replicas_run_each_job_once(
    receiver: Receiver,
    docker_client: docker.DockerClient,
    postgres_image: str,
    metadata_cluster: MetadataCluster,
    tmp_root: Path,
) -> None:
    first = launch_server(metadata_cluster.create_database(), tmp_root)
    second = replica_of(first)
    try:
        with first.client as one, second.client as two:
            subscribe(one, receiver)
            schedule_began = time.time()
            scheduled = create(one, "replicated-schedule",
                               snapshot_schedule={"every": "2s", "keep": 20})  # fmt: skip
            expiring = create(two, "replicated-expiry", ttl="3s")
            sleepy = create(one, "replicated-sleepy", auto_stop_after="2s")
            wait_until(lambda: gone(one, "replicated-expiry"), what="expired")
            wait_until(lambda: status(two, "replicated-sleepy") == "stopped", what="idle stop")
            woken = psql(sleepy["connection"]["uri"], "SELECT 1")
            assert woken.returncode == 0, woken.stderr
            time.sleep(12)
            update(two, "replicated-schedule", snapshot_schedule=None)
            schedule_ended = time.time()
            time.sleep(1.5)
            taken = [s for s in one.get("/databases/replicated-schedule/snapshots?limit=100")
                     .json()["data"] if s["scheduled"]]  # fmt: skip
            times = sorted(_seconds(s["created_at"]) for s in taken)
            assert len(times) >= 5
            # Each run is due 2 s after the one before it was due: once per due time, there
            # are at most this many. A late run only lowers the count (it does not move the
            # next due time), so the gap between two runs can be short without a double run.
            once_each = int((schedule_ended - schedule_began) / 2) + 1
            assert len(times) <= once_each, f"a run happened twice: {len(times)} > {once_each}"
            wait_until(lambda: any(e == "database.deleted"
                                   for e, _ in events_of(receiver, expiring["id"])))  # fmt: skip
            expired = [e for e, _ in events_of(receiver, expiring["id"])]
            assert expired.count("database.expired") == 1, expired
            sleepy_events = events_of(receiver, sleepy["id"])
            idle_stops = [d for e, d in sleepy_events if e == "database.stopped"]
            wakes = [d for e, d in sleepy_events if e == "database.started"]
            assert len(wakes) == 1 and [d.get("reason") for d in wakes] == ["connection"]
            assert 1 <= len(idle_stops) <= 2 and all(d["reason"] == "idle" for d in idle_stops)
            assert one.delete(f"/databases/{scheduled['id']}").status_code == 200
    finally:
        second.stop()
        shut_down(first, docker_client)


def spares_by_maker(pool_path: Path, replicas: dict[str, Server]) -> dict[str, str]:
    """The spare volumes marked in the replicas' shared pool, each with the name of the
    replica that made it ("gone" for a process that no longer runs)."""
    found = {}
    for volume, owner in SpareMarks(pool_path).all().items():  # owner: machine:pid:start:token
        makers = [name for name, server in replicas.items()
                  if server.process is not None and f":{server.process.pid}:" in owner]  # fmt: skip
        found[volume] = makers[0] if makers else "gone"
    return found


def test_replicas_keep_each_others_spare_volumes_and_a_killed_ones_go(
    docker_client: docker.DockerClient,
    postgres_image: str,
    metadata_cluster: MetadataCluster,
    tmp_root: Path,
) -> None:
    """A spare clone of the template, made ahead for the next create, is a volume without a
    database: each replica's orphan search (every 0.5 s here) must leave the other's alone,
    and destroy those of a replica that was killed."""
    first = launch_server(
        metadata_cluster.create_database(), tmp_root, {"STAGDB_SWEEP_INTERVAL": "0.5"}
    )
    second = replica_of(first)
    pool, replicas = first.pool_path, {"first": first, "second": second}

    def in_pool() -> set[str]:
        return set(os.listdir(pool / "volumes"))

    try:
        with first.client as one, second.client as two:
            create(one, "spare-maker-one")
            create(two, "spare-maker-two")
            wait_until(
                lambda: sorted(spares_by_maker(pool, replicas).values()) == ["first", "second"],
                what="a spare made by each replica",
            )
            time.sleep(2)  # four sweeps of each
            spares = {who: volume for volume, who in spares_by_maker(pool, replicas).items()}
            assert sorted(spares) == ["first", "second"]
            assert set(spares.values()) <= in_pool()

            served = create(one, "served-from-spare")
            assert served["id"] == spares["first"]  # its spare, not destroyed by the other
            result = psql(served["connection"]["uri"], "SELECT 6*7")
            assert (result.returncode, result.stdout.strip()) == (0, "42"), result.stderr
            assert served["id"] not in spares_by_maker(pool, replicas)  # recorded: unmarked

            second.stop(kill=True)
            killed = spares["second"]
            wait_until(
                lambda: killed not in in_pool() and killed not in spares_by_maker(pool, replicas),
                what="the killed replica's spare destroyed by the other's sweep",
            )
            wait_until(lambda: "first" in spares_by_maker(pool, replicas).values())
            [own] = spares_by_maker(pool, replicas)
            for name in ("spare-maker-one", "spare-maker-two", "served-from-spare"):
                assert one.delete(f"/databases/{name}").status_code == 200
            first.stop()
            assert spares_by_maker(pool, replicas) == {} and own not in in_pool()
            assert first.leftover_volumes() == []
    finally:
        second.stop()
        shut_down(first, docker_client)


def _seconds(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp).timestamp()


def test_timed_work_goes_on_across_a_restart(
    receiver: Receiver,
    docker_client: docker.DockerClient,
    postgres_image: str,
    metadata_cluster: MetadataCluster,
    tmp_root: Path,
) -> None:
    server = launch_server(metadata_cluster.create_database(), tmp_root)
    try:
        with server.client as api:
            subscribe(api, receiver)
            create(api, "restarted-schedule", snapshot_schedule={"every": "2s", "keep": 3})
            create(api, "restarted-expiry", ttl="6s")

            def count() -> int:
                found = api.get("/databases/restarted-schedule/snapshots?limit=100")
                return sum(1 for s in found.json()["data"] if s["scheduled"])

            wait_until(lambda: count() >= 1, what="a scheduled snapshot before the restart")
            server.stop()
            time.sleep(7)  # the expiry passes while the server is down
            server.start()
            wait_until(lambda: gone(api, "restarted-expiry"), what="expired after the restart")
            before = {s["id"] for s in api.get(
                "/databases/restarted-schedule/snapshots?limit=100").json()["data"]}  # fmt: skip
            wait_until(
                lambda: bool({s["id"] for s in api.get(
                    "/databases/restarted-schedule/snapshots?limit=100").json()["data"]}
                    - before),
                what="the schedule goes on after the restart",
            )  # fmt: skip
            wait_until(lambda: count() == 3, what="retention applies after the restart")
    finally:
        shut_down(server, docker_client)


def gql(server: Server, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = httpx.post(
        server.base_url.replace("/v1", "/graphql"),
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {server.key}"},
        timeout=120,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


FIELDS = "id name expiresAt protected autoStopAfter snapshotSchedule { every keep }"


def test_upkeep_through_graphql_is_the_same_as_through_rest(
    upkeep_server: Server, api: httpx.Client
) -> None:
    created = gql(
        upkeep_server,
        "mutation($input: CreateDatabaseInput!) { createDatabase(input: $input) { "
        + FIELDS
        + " } }",
        {"input": {"name": "graph-kept", "type": "postgresql", "protected": True,
                   "autoStopAfter": "2h", "snapshotSchedule": {"every": "1d", "keep": 7}}},
    )["data"]["createDatabase"]  # fmt: skip
    assert created["protected"] is True and created["autoStopAfter"] == "2h"
    assert created["snapshotSchedule"] == {"every": "1d", "keep": 7}
    rest = api.get("/databases/graph-kept").json()["data"]
    assert (rest["protected"], rest["auto_stop_after"], rest["snapshot_schedule"]) == (
        True, "2h", {"every": "1d", "keep": 7},
    )  # fmt: skip
    refused = gql(upkeep_server, 'mutation { deleteDatabase(id: "graph-kept") }')
    assert refused["errors"][0]["extensions"]["code"] == "RESOURCE_BUSY"
    assert "'graph-kept' is protected" in refused["errors"][0]["message"]
    branched = gql(
        upkeep_server,
        'mutation { createBranch(databaseId: "graph-kept", input: {name: "graph-branch", '
        'ttl: "1h"}) { ' + FIELDS + " } }",
    )["data"]["createBranch"]
    assert branched["expiresAt"] is not None and branched["protected"] is False
    changed = gql(
        upkeep_server,
        'mutation { updateDatabase(id: "graph-kept", input: {protected: false, '
        "snapshotSchedule: null, autoStopAfter: null}) { " + FIELDS + " } }",
    )["data"]["updateDatabase"]
    assert (changed["protected"], changed["snapshotSchedule"], changed["autoStopAfter"]) == (
        False, None, None,
    )  # fmt: skip
    bad = gql(
        upkeep_server, 'mutation { updateDatabase(id: "graph-kept", input: {ttl: "soon"}) { id } }'
    )
    assert bad["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert api.delete("/databases/graph-kept?cascade=true").status_code == 200
