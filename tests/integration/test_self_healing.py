"""State that heals itself: containers removed, killed or starved behind StagDB's back are
brought back at the same URI with their data, without any API call; what cannot be brought
back becomes `failed` with the reason and still starts, stops and deletes. Events reach a real
webhook receiver."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator

import docker
import httpx
import psycopg
import pytest

from tests.conftest import MetadataCluster, Server, server_per_metadata
from tests.pinned_files import removable, unremovable_file_in
from tests.webhook_receiver import Receiver

HEAL_WITHIN_S = 30


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def healing_server(
    request: pytest.FixtureRequest,
    docker_client: docker.DockerClient,
    postgres_image: str,
    metadata_cluster: MetadataCluster,
    tmp_root,
) -> Iterator[Server]:
    yield from server_per_metadata(request.param, metadata_cluster, tmp_root, docker_client)


@pytest.fixture(scope="module")
def api(healing_server: Server, receiver: Receiver) -> Iterator[httpx.Client]:
    with healing_server.client as client:
        hook = client.post(
            "/webhooks",
            json={"url": receiver.url, "events": ["database.failed", "database.recovered"]},
        )
        assert hook.status_code == 201, hook.text
        yield client


def create_with_data(api: httpx.Client, name: str) -> dict:
    response = api.post("/databases", json={"name": name, "type": "postgresql"})
    assert response.status_code == 201, response.text
    database = response.json()["data"]
    with psycopg.connect(database["connection"]["uri"], autocommit=True) as connection:
        connection.execute("CREATE TABLE kept (note text)")
        connection.execute("INSERT INTO kept VALUES ('still here')")
    return database


def answers_with_data(uri: str) -> bool:
    try:
        with psycopg.connect(uri, connect_timeout=2) as connection:
            return connection.execute("SELECT note FROM kept").fetchall() == [("still here",)]
    except psycopg.Error:
        return False


def wait_until(check: Callable[[], bool], timeout_s: float = HEAL_WITHIN_S) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"not within {timeout_s} s")
        time.sleep(0.2)
    return time.monotonic() - started


def container_of(client: docker.DockerClient, database_id: str):
    found = client.containers.list(all=True, filters={"label": f"io.stagdb.database={database_id}"})
    return found[0] if found else None


def events_for(receiver: Receiver, database_id: str, event: str) -> list[dict]:
    return [
        r.payload
        for r in list(receiver.received)
        if r.event == event and r.payload["data"]["database_id"] == database_id
    ]


@pytest.mark.parametrize(
    ("mishap", "reason"),
    [
        (lambda container: container.remove(force=True), "disappeared"),
        (lambda container: container.kill(), "exited"),
        (lambda container: container.stop(timeout=5), "exited"),
    ],
    ids=["removed", "killed", "stopped-behind-our-back"],
)
def test_a_lost_container_comes_back_at_the_same_uri_with_its_data(
    api: httpx.Client,
    docker_client: docker.DockerClient,
    receiver: Receiver,
    mishap: Callable[[object], None],
    reason: str,
) -> None:
    name = f"heal-{reason[:4]}-{int(time.time() * 1000) % 100000}"
    database = create_with_data(api, name)
    uri = database["connection"]["uri"]
    mishap(container_of(docker_client, database["id"]))

    wait_until(lambda: answers_with_data(uri))
    after = api.get(f"/databases/{name}").json()["data"]
    assert after["status"] == "running"
    assert (after["port"], after["connection"]["uri"]) == (database["port"], uri)
    wait_until(lambda: bool(events_for(receiver, database["id"], "database.recovered")))
    [recovered] = events_for(receiver, database["id"], "database.recovered")
    assert reason in recovered["data"]["reason"]
    assert api.delete(f"/databases/{name}").status_code == 200


def test_a_starved_engine_is_running_again_with_its_data(
    api: httpx.Client, docker_client: docker.DockerClient
) -> None:
    """A query that needs more memory than the database's limit: the kernel's OOM killer
    ends the engine's process; the database answers again with its data."""
    database = create_with_data(api, "heal-oom")
    assert api.put("/databases/heal-oom", json={"resources": {"memory": "64m"}}).status_code == 200
    uri = database["connection"]["uri"]
    with pytest.raises(psycopg.Error), psycopg.connect(uri) as connection:
        connection.execute("SET work_mem = '2GB'")
        connection.execute("SELECT count(*) FROM (SELECT g, md5(g::text) m FROM "
                           "generate_series(1, 5000000) g ORDER BY m) s")  # fmt: skip
    container = container_of(docker_client, database["id"])
    container.reload()
    wait_until(lambda: answers_with_data(uri))
    assert api.get("/databases/heal-oom").json()["data"]["status"] == "running"
    assert api.delete("/databases/heal-oom").status_code == 200


def test_a_database_that_cannot_come_back_is_failed_with_the_reason(
    api: httpx.Client,
    healing_server: Server,
    docker_client: docker.DockerClient,
    receiver: Receiver,
) -> None:
    database = create_with_data(api, "heal-lost")
    shutil.rmtree(healing_server.pool_path / "volumes" / database["id"])
    container_of(docker_client, database["id"]).remove(force=True)

    def failed_for_the_volume() -> bool:
        body = api.get("/databases/heal-lost").json()["data"]
        return body["status"] == "failed" and "volume is missing" in (body["error"] or "")

    wait_until(failed_for_the_volume)
    wait_until(lambda: bool(events_for(receiver, database["id"], "database.failed")))
    reasons = [e["data"]["reason"] for e in events_for(receiver, database["id"], "database.failed")]
    assert any("volume is missing" in reason for reason in reasons), reasons

    start = api.post("/databases/heal-lost/start")
    assert start.status_code == 500
    assert "volume is missing" in start.json()["error"]["message"]
    stopped = api.post("/databases/heal-lost/stop")
    assert stopped.status_code == 200 and stopped.json()["data"]["status"] == "stopped"
    time.sleep(3)  # a stopped database stays stopped: the controller leaves it alone
    assert api.get("/databases/heal-lost").json()["data"]["status"] == "stopped"
    assert api.delete("/databases/heal-lost").status_code == 200
    assert api.get("/databases/heal-lost").status_code == 404


def test_stop_and_start_work_on_a_database_whose_container_vanished(
    api: httpx.Client, docker_client: docker.DockerClient
) -> None:
    database = create_with_data(api, "heal-stop")
    container_of(docker_client, database["id"]).remove(force=True)
    stopped = api.post("/databases/heal-stop/stop")
    assert stopped.status_code in (200, 409), stopped.text  # 409: the controller holds it
    if stopped.status_code == 409:
        time.sleep(2)
        stopped = api.post("/databases/heal-stop/stop")
    assert stopped.status_code == 200 and stopped.json()["data"]["status"] == "stopped"
    started = api.post("/databases/heal-stop/start")
    assert started.status_code == 200 and started.json()["data"]["status"] == "running"
    assert answers_with_data(database["connection"]["uri"])
    assert api.delete("/databases/heal-stop").status_code == 200


def test_a_delete_docker_cannot_finish_is_finished_in_the_background(
    api: httpx.Client, healing_server: Server, docker_client: docker.DockerClient
) -> None:
    """Docker fails to remove the container (every retry): the DELETE says so, the database
    stays `deleting` with the reason (never brought back), and once Docker can remove it the
    server's own check finishes the deletion with no further request."""
    database = create_with_data(api, "heal-delete")
    with unremovable_file_in(container_of(docker_client, database["id"])) as pinned:
        refused = api.delete("/databases/heal-delete")
        assert refused.status_code == 500, refused.text
        error = refused.json()["error"]
        assert error["code"] == "SERVER_ERROR"
        assert "tries again in the background" in error["message"]
        assert "pinned" not in error["message"] and "docker" not in error["message"].lower()

        def retried_and_said_so() -> bool:
            body = api.get("/databases/heal-delete").json()["data"]
            assert body["status"] == "deleting", body
            return "could not be finished yet" in (body["error"] or "")

        wait_until(retried_and_said_so)
        time.sleep(3)  # more checks fail meanwhile: it stays deleting, never back to running
        assert api.get("/databases/heal-delete").json()["data"]["status"] == "deleting"
        removable(pinned)
        wait_until(lambda: api.get("/databases/heal-delete").status_code == 404)
    assert container_of(docker_client, database["id"]) is None
    assert not (healing_server.pool_path / "volumes" / database["id"]).exists()
    assert not answers_with_data(database["connection"]["uri"])
