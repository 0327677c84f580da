"""Webhooks through HTTP against real `stagdb serve` processes: CRUD and validation, signed
delivery of real lifecycle events to a real receiver on 127.0.0.1, retries, ordering, and
durability when the receiver is down or the server is killed mid-delivery."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest

from tests.conftest import (
    MetadataCluster,
    Server,
    free_port,
    launch_server,
    server_per_metadata,
    shut_down,
)
from tests.openapi_contract import (
    assert_request_body_matches,
    assert_response_matches,
    assert_valid,
)
from tests.webhook_receiver import HOLD, Receiver

pytestmark = pytest.mark.docker

HOOKS = "/webhooks"
HOOK_ID = "/webhooks/{id}"
DELIVERIES = "/webhooks/{id}/deliveries"
TEST = "/webhooks/{id}/test"
MAX_ATTEMPTS = 6
FAST_RETRIES = {
    "STAGDB_WEBHOOK_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
    "STAGDB_WEBHOOK_BACKOFF_BASE": "0.2",
    "STAGDB_WEBHOOK_BACKOFF_MAX": "1",
    "STAGDB_WEBHOOK_TIMEOUT": "2",
    "STAGDB_WEBHOOK_POLL_INTERVAL": "0.1",
}
LIFECYCLE = ["database.created", "database.deleted"]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def hook_server(
    request: pytest.FixtureRequest,
    docker_client: docker.DockerClient,
    postgres_image: str,
    metadata_cluster: MetadataCluster,
    tmp_root: Path,
) -> Iterator[Server]:
    """A server per metadata backend, retrying deliveries within seconds."""
    yield from server_per_metadata(
        request.param, metadata_cluster, tmp_root, docker_client, FAST_RETRIES
    )


@pytest.fixture
def api(hook_server: Server) -> Iterator[httpx.Client]:
    with hook_server.client as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def cleanup(api: httpx.Client) -> Iterator[Callable[[str], None]]:
    """Register webhook ids and database names; whatever still exists goes after the test."""
    created: list[str] = []
    yield created.append
    for ref in reversed(created):
        path = f"{HOOKS}/{ref}" if ref.startswith("wh-") else f"/databases/{ref}"
        api.delete(path)


def create_webhook(
    api: httpx.Client,
    cleanup: Callable[[str], None],
    receiver: Receiver | None,
    url: str | None = None,
    events: list[str] | None = None,
) -> dict[str, Any]:
    target = url if url is not None else receiver.url if receiver is not None else None
    body = {"url": target, "events": events or ["*"]}
    assert_request_body_matches("POST", HOOKS, body)
    response = api.post(HOOKS, json=body)
    assert_response_matches("POST", HOOKS, response)
    assert response.status_code == 201, response.text
    webhook = response.json()["data"]
    cleanup(webhook["id"])
    if receiver is not None:
        receiver.secret = webhook["secret"]
    return webhook


def create_database(api: httpx.Client, cleanup: Callable[[str], None], name: str) -> dict:
    cleanup(name)
    response = api.post("/databases", json={"name": name, "type": "postgresql"})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def deliveries(api: httpx.Client, webhook_id: str) -> list[dict[str, Any]]:
    response = api.get(f"{HOOKS}/{webhook_id}/deliveries")
    assert_response_matches("GET", DELIVERIES, response)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def wait_for_deliveries(
    api: httpx.Client,
    webhook_id: str,
    done: Callable[[list[dict[str, Any]]], bool],
    timeout_s: float = 30,
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while True:
        found = deliveries(api, webhook_id)
        if done(found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"deliveries never reached the expected state: {found}")
        time.sleep(0.25)


def assert_lifecycle_payload(
    payload: dict[str, Any], event: str, database: dict[str, Any], status: str
) -> None:
    timestamp = payload.pop("timestamp")
    assert isinstance(timestamp, str) and timestamp.endswith("Z"), timestamp
    assert payload == {
        "event": event,
        "data": {
            "database_id": database["id"],
            "name": database["name"],
            "type": "postgresql",
            "status": status,
            "parent_id": None,
            "snapshot_id": None,
        },
    }


def test_webhooks_can_be_created_read_listed_updated_and_deleted(
    hook_server: Server, api: httpx.Client, cleanup: Callable[[str], None]
) -> None:
    generated = create_webhook(
        api, cleanup, None, url="http://127.0.0.1:9/one", events=["database.created"]
    )
    assert generated["id"].startswith("wh-")
    assert generated["secret"].startswith("whsec_") and len(generated["secret"]) >= 32
    assert (generated["url"], generated["events"], generated["active"]) == (
        "http://127.0.0.1:9/one",
        ["database.created"],
        True,
    )
    assert generated["secret_set"] is True

    chosen_body = {
        "url": "https://127.0.0.1:9/stagdb",
        "events": ["*", "branch.created"],
        "secret": "a-secret-of-our-own-choosing",
    }
    assert_request_body_matches("POST", HOOKS, chosen_body)
    chosen = api.post(HOOKS, json=chosen_body)
    assert_response_matches("POST", HOOKS, chosen)
    assert chosen.status_code == 201, chosen.text
    second = chosen.json()["data"]
    cleanup(second["id"])
    assert second["secret"] == "a-secret-of-our-own-choosing"

    fetched = api.get(f"{HOOKS}/{generated['id']}")
    assert_response_matches("GET", HOOK_ID, fetched)
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["data"] == {k: v for k, v in generated.items() if k != "secret"}

    listed = api.get(HOOKS)
    assert_response_matches("GET", HOOKS, listed)
    assert [w["id"] for w in listed.json()["data"]] == [generated["id"], second["id"]]
    assert listed.json()["pagination"] == {"page": 1, "limit": 20, "total": 2, "pages": 1}
    paged = api.get(HOOKS, params={"page": 2, "limit": 1})
    assert_response_matches("GET", HOOKS, paged)
    assert [w["id"] for w in paged.json()["data"]] == [second["id"]]
    assert all("secret" not in w for w in listed.json()["data"])

    change = {"events": ["snapshot.created"], "active": False, "secret": "rotated-secret-0123"}
    assert_request_body_matches("PUT", HOOK_ID, change)
    updated = api.put(f"{HOOKS}/{generated['id']}", json=change)
    assert_response_matches("PUT", HOOK_ID, updated)
    assert updated.status_code == 200, updated.text
    data = updated.json()["data"]
    assert (data["events"], data["active"], data["secret_set"]) == (
        ["snapshot.created"],
        False,
        True,
    )
    assert "secret" not in data and "rotated-secret-0123" not in updated.text

    unchanged = api.put(f"{HOOKS}/{generated['id']}", json={})
    assert_response_matches("PUT", HOOK_ID, unchanged)
    assert unchanged.json()["data"]["events"] == ["snapshot.created"]

    inactive = api.post(f"{HOOKS}/{generated['id']}/test")
    assert_response_matches("POST", TEST, inactive)
    assert inactive.status_code == 400, inactive.text
    assert "inactive" in inactive.json()["error"]["message"]

    history = api.get(f"{HOOKS}/{generated['id']}/deliveries")
    assert_response_matches("GET", DELIVERIES, history)
    assert history.json()["data"] == [] and history.json()["pagination"]["total"] == 0

    deleted = api.delete(f"{HOOKS}/{generated['id']}")
    assert_response_matches("DELETE", HOOK_ID, deleted)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["data"] is None
    for method, template in (
        ("GET", HOOK_ID),
        ("PUT", HOOK_ID),
        ("DELETE", HOOK_ID),
        ("POST", TEST),
        ("GET", DELIVERIES),
    ):
        gone = api.request(
            method,
            template.replace("{id}", generated["id"]),
            json={} if method == "PUT" else None,
        )
        assert_response_matches(method, template, gone)
        assert gone.status_code == 404, (method, template, gone.text)
        assert generated["id"] in gone.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"url": "ftp://127.0.0.1:9/x", "events": ["*"]}, "http:// or https://"),
        ({"url": "not a url", "events": ["*"]}, "http:// or https://"),
        ({"url": "http:///no-host", "events": ["*"]}, "must name a host"),
        ({"url": "http://127.0.0.1:99999/x", "events": ["*"]}, "invalid port"),
        ({"url": "http://127.0.0.1:{api}/v1/health", "events": ["*"]}, "StagDB server itself"),
        ({"url": "http://localhost:{api}/", "events": ["*"]}, "StagDB server itself"),
        ({"url": "http://[::1]:{api}/", "events": ["*"]}, "StagDB server itself"),
        ({"url": "http://0.0.0.0:{api}/", "events": ["*"]}, "StagDB server itself"),
        ({"url": "http://127.0.0.9:9/x", "events": ["database.exploded"]}, "database.exploded"),
        ({"url": "http://127.0.0.9:9/x", "events": []}, "at least one event"),
        ({"url": "http://127.0.0.9:9/x", "events": "*"}, "list of event names"),
        ({"url": "http://127.0.0.9:9/x", "events": ["*"], "secret": ""}, "non-empty string"),
        ({"events": ["*"]}, "Missing required field(s): url"),
        ({"url": "http://127.0.0.9:9/x"}, "Missing required field(s): events"),
        ({"url": "http://127.0.0.9:9/x", "events": ["*"], "colour": "red"}, "Unknown field"),
    ],
)
def test_invalid_webhooks_are_refused_in_the_envelope(
    hook_server: Server, api: httpx.Client, body: dict[str, Any], says: str
) -> None:
    port = hook_server.env["STAGDB_API_PORT"]
    if isinstance(body.get("url"), str):
        body = body | {"url": body["url"].replace("{api}", port)}
    response = api.post(HOOKS, json=body)
    assert_response_matches("POST", HOOKS, response)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert says in error["message"], error["message"]
    if says == "database.exploded":
        assert "valid events: *, database.created" in error["message"]
        assert "branch.reset" in error["message"]
    assert api.get(HOOKS).json()["pagination"]["total"] == 0


def test_invalid_updates_are_refused(api: httpx.Client, cleanup: Callable[[str], None]) -> None:
    webhook = create_webhook(api, cleanup, None, url="http://127.0.0.1:9/x")
    for change, says in (
        ({"url": "gopher://x"}, "http:// or https://"),
        ({"events": ["database.created", "nope"]}, "Unknown event(s): nope"),
        ({"active": "yes"}, "active must be true or false"),
        ({"secret": None}, "non-empty string"),
        ({"id": "wh-000000000000"}, "Unknown field"),
    ):
        response = api.put(f"{HOOKS}/{webhook['id']}", json=change)
        assert_response_matches("PUT", HOOK_ID, response)
        assert response.status_code == 400, (change, response.text)
        assert says in response.json()["error"]["message"], response.text
    assert api.get(f"{HOOKS}/{webhook['id']}").json()["data"]["url"] == "http://127.0.0.1:9/x"


def test_lifecycle_events_arrive_signed_and_in_order(
    api: httpx.Client, receiver: Receiver, cleanup: Callable[[str], None]
) -> None:
    webhook = create_webhook(api, cleanup, receiver, events=LIFECYCLE)
    database = create_database(api, cleanup, "hooked-db")
    assert api.post("/databases/hooked-db/stop").status_code == 200  # not subscribed
    assert api.delete("/databases/hooked-db").status_code == 200

    created, deleted = receiver.wait_for(2)
    for received, event in ((created, "database.created"), (deleted, "database.deleted")):
        assert received.signature_valid, received.headers
        assert received.path == "/hooks"
        assert received.headers["content-type"] == "application/json"
        assert received.event == event == received.payload["event"]
        assert received.delivery_id.startswith("dl-")
        assert abs(int(received.headers["x-stagdb-timestamp"]) - time.time()) < 60
        # The body is compact JSON with sorted keys: the exact bytes that were signed.
        canonical = json.dumps(received.payload, separators=(",", ":"), sort_keys=True)
        assert received.body == canonical.encode()
        assert_valid(received.payload, "/components/schemas/WebhookPayload", received.event)
    assert_lifecycle_payload(created.payload, "database.created", database, "running")
    assert_lifecycle_payload(deleted.payload, "database.deleted", database, "deleted")
    assert created.delivery_id != deleted.delivery_id

    history = wait_for_deliveries(
        api, webhook["id"], lambda found: all(d["status"] == "delivered" for d in found)
    )
    assert [(d["id"], d["event"]) for d in history] == [
        (created.delivery_id, "database.created"),
        (deleted.delivery_id, "database.deleted"),
    ]
    for delivery in history:
        assert (delivery["attempts"], delivery["response_code"], delivery["last_error"]) == (
            1,
            200,
            None,
        )
        assert delivery["webhook_id"] == webhook["id"]
        assert delivery["delivered_at"] and delivery["next_attempt_at"] is None
        assert delivery["duration_ms"] >= 0
    time.sleep(0.5)
    assert len(receiver.received) == 2, [r.event for r in receiver.received]


def test_a_test_delivery_goes_to_that_webhook_only(
    api: httpx.Client, receiver: Receiver, cleanup: Callable[[str], None]
) -> None:
    webhook = create_webhook(api, cleanup, receiver)
    bystander = Receiver().start()
    try:
        create_webhook(api, cleanup, bystander)
        response = api.post(f"{HOOKS}/{webhook['id']}/test")
        assert_response_matches("POST", TEST, response)
        assert response.status_code == 201, response.text
        delivery = response.json()["data"]
        assert delivery["id"].startswith("dl-")
        assert (delivery["event"], delivery["status"], delivery["attempts"]) == (
            "webhook.test",
            "delivered",
            1,
        )
        [received] = receiver.wait_for(1)
        assert received.signature_valid
        assert received.delivery_id == delivery["id"]
        assert received.event == "webhook.test"
        assert received.payload["data"] == {"webhook_id": webhook["id"]}
        assert_valid(received.payload, "/components/schemas/WebhookPayload", "webhook.test")
        assert received.payload["timestamp"].endswith("Z")
        time.sleep(0.5)
        assert bystander.received == []
    finally:
        bystander.stop()


def test_deliveries_wait_for_a_receiver_that_is_down_and_keep_their_order(
    api: httpx.Client, cleanup: Callable[[str], None]
) -> None:
    port = free_port()
    receiver = Receiver(port)
    webhook = create_webhook(api, cleanup, receiver, url=receiver.url, events=LIFECYCLE)
    database = create_database(api, cleanup, "patient-db")
    assert api.delete("/databases/patient-db").status_code == 200

    def first_retried(found: list[dict[str, Any]]) -> bool:
        return len(found) == 2 and found[0]["attempts"] >= 2

    first, second = wait_for_deliveries(api, webhook["id"], first_retried)
    assert (first["status"], first["response_code"]) == ("pending", None)
    assert first["last_error"] == "Could not connect to the receiver"
    assert first["next_attempt_at"] is not None
    assert (second["status"], second["attempts"]) == ("pending", 0)  # waits its turn

    receiver.start()
    try:
        created, deleted = receiver.wait_for(2)
        assert [created.event, deleted.event] == LIFECYCLE
        assert created.signature_valid and deleted.signature_valid
        assert_lifecycle_payload(created.payload, "database.created", database, "running")
        history = wait_for_deliveries(
            api, webhook["id"], lambda found: all(d["status"] == "delivered" for d in found)
        )
        assert history[0]["attempts"] >= 2 and history[0]["last_error"] is None
        assert history[1]["attempts"] == 1
        assert [d["id"] for d in history] == [created.delivery_id, deleted.delivery_id]
    finally:
        receiver.stop()


def test_a_delivery_that_keeps_failing_fails_for_good_and_frees_the_queue(
    api: httpx.Client, receiver: Receiver, cleanup: Callable[[str], None]
) -> None:
    receiver.script(*[500] * MAX_ATTEMPTS)
    webhook = create_webhook(api, cleanup, receiver, events=LIFECYCLE)
    create_database(api, cleanup, "doomed-db")
    assert api.delete("/databases/doomed-db").status_code == 200

    received = receiver.wait_for(MAX_ATTEMPTS + 1)
    assert {r.event for r in received[:MAX_ATTEMPTS]} == {"database.created"}
    assert len({r.delivery_id for r in received[:MAX_ATTEMPTS]}) == 1
    assert received[MAX_ATTEMPTS].event == "database.deleted"
    failed, delivered = wait_for_deliveries(
        api, webhook["id"], lambda found: found[-1]["status"] == "delivered"
    )
    assert (failed["status"], failed["attempts"], failed["response_code"]) == (
        "failed",
        MAX_ATTEMPTS,
        500,
    )
    assert failed["last_error"] == "The receiver answered HTTP 500"
    assert failed["next_attempt_at"] is None and failed["delivered_at"] is None
    assert delivered["attempts"] == 1


def test_a_retried_delivery_keeps_its_id_so_receivers_can_deduplicate(
    api: httpx.Client, receiver: Receiver, cleanup: Callable[[str], None]
) -> None:
    receiver.script(500)  # received, then answered 500: the sender must try again
    webhook = create_webhook(api, cleanup, receiver)
    response = api.post(f"{HOOKS}/{webhook['id']}/test")
    assert_response_matches("POST", TEST, response)
    first_attempt = response.json()["data"]
    assert (first_attempt["status"], first_attempt["attempts"]) == ("pending", 1)
    assert (first_attempt["response_code"], first_attempt["last_error"]) == (
        500,
        "The receiver answered HTTP 500",
    )
    assert first_attempt["next_attempt_at"] is not None

    original, retry = receiver.wait_for(2)
    assert original.delivery_id == retry.delivery_id == first_attempt["id"]
    assert original.body == retry.body
    assert original.signature_valid and retry.signature_valid
    [delivery] = wait_for_deliveries(
        api, webhook["id"], lambda found: found[0]["status"] == "delivered"
    )
    assert (delivery["attempts"], delivery["response_code"]) == (2, 200)


def test_nothing_is_lost_when_the_server_is_killed_mid_delivery(
    hook_server: Server, receiver: Receiver
) -> None:
    receiver.script(HOLD)  # the first request stays open while the server dies
    with hook_server.client as api:
        webhook = create_webhook(api, lambda ref: None, receiver, events=LIFECYCLE)
    try:
        with hook_server.client as api:
            database = create_database(api, lambda ref: None, "survivor-db")
        receiver.wait_for(1)
        hook_server.stop(kill=True)
        receiver.release()
        hook_server.start()
        with hook_server.client as api:
            assert api.delete("/databases/survivor-db").status_code == 200
            held, resent, deleted = receiver.wait_for(3)
            assert held.event == resent.event == "database.created"
            assert held.delivery_id == resent.delivery_id
            assert deleted.event == "database.deleted"
            assert all(r.signature_valid for r in (held, resent, deleted))
            assert_lifecycle_payload(resent.payload, "database.created", database, "running")
            history = wait_for_deliveries(
                api, webhook["id"], lambda found: all(d["status"] == "delivered" for d in found)
            )
            assert [d["id"] for d in history] == [resent.delivery_id, deleted.delivery_id]
    finally:
        if hook_server.process is None:
            hook_server.start()
        with hook_server.client as api:
            api.delete("/databases/survivor-db")
            api.delete(f"{HOOKS}/{webhook['id']}")


def test_two_replicas_deliver_each_delivery_once(
    receiver: Receiver,
    docker_client: docker.DockerClient,
    postgres_image: str,
    metadata_cluster: MetadataCluster,
    tmp_root: Path,
) -> None:
    metadata_url = metadata_cluster.create_database()
    replicas = [launch_server(metadata_url, tmp_root, FAST_RETRIES) for _ in range(2)]
    try:
        with replicas[0].client as first, replicas[1].client as second:
            webhook = create_webhook(first, lambda ref: None, receiver)
            with ThreadPoolExecutor(8) as pool:
                answers = list(
                    pool.map(
                        lambda api: api.post(f"{HOOKS}/{webhook['id']}/test"), [first, second] * 4
                    )
                )
            assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
            create_database(first, lambda ref: None, "replicated-db")
            assert second.delete("/databases/replicated-db").status_code == 200
            history = wait_for_deliveries(
                first,
                webhook["id"],
                lambda found: len(found) == 10 and all(d["status"] == "delivered" for d in found),
            )
            time.sleep(1)  # a second sending of anything would have arrived by now
            ids = [r.delivery_id for r in receiver.received]
            assert sorted(ids) == sorted(d["id"] for d in history), "each exactly once"
            assert all(d["attempts"] == 1 for d in history)
            assert [r.event for r in receiver.received if r.event != "webhook.test"] == LIFECYCLE
    finally:
        for replica in replicas:
            shut_down(replica, docker_client)


def test_webhooks_cannot_reach_inside_without_the_operators_leave(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> None:
    """Out of the box a webhook may not point at loopback, link-local (cloud metadata) or
    private addresses, by literal or by name; the refusal says why and how to allow it."""
    server = launch_server(None, tmp_root, {"STAGDB_WEBHOOK_ALLOW_NETWORKS": ""})
    try:
        with server.client as api:
            for url, kind in (
                ("http://127.0.0.1:9/hook", "loopback"),
                ("http://localhost:9/hook", "loopback"),
                ("http://169.254.169.254/latest/meta-data", "link-local"),
                ("http://10.1.2.3/hook", "private"),
                ("http://[::1]:9/hook", "loopback"),
            ):
                refused = api.post("/webhooks", json={"url": url, "events": ["*"]})
                assert refused.status_code == 400, (url, refused.text)
                message = refused.json()["error"]["message"]
                assert f"a {kind} address" in message and "STAGDB_WEBHOOK_ALLOW_NETWORKS" in message
            assert api.get("/webhooks").json()["pagination"]["total"] == 0
    finally:
        shut_down(server, docker_client)
