"""Long work as operations: `Prefer: respond-async` answers 202 with an operation that can be
followed to its end, operations are listed per database, and their end reaches webhooks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Server
from tests.integration.test_graphql import gql
from tests.webhook_receiver import Receiver

ASYNC = {"Prefer": "respond-async"}


def follow(api: httpx.Client, operation_id: str, timeout_s: float = 120) -> dict[str, Any]:
    """The operation once it has ended."""
    deadline = time.monotonic() + timeout_s
    while True:
        response = api.get(f"/operations/{operation_id}")
        assert response.status_code == 200, response.text
        operation = response.json()["data"]
        if operation["status"] != "running" or time.monotonic() > deadline:
            return operation
        time.sleep(0.1)


@pytest.fixture
def receiver(api: httpx.Client) -> Iterator[Receiver]:
    running = Receiver().start()
    created = api.post(
        "/webhooks",
        json={"url": running.url, "events": ["operation.succeeded", "operation.failed"]},
    )
    assert created.status_code == 201, created.text
    running.secret = created.json()["data"]["secret"]
    yield running
    api.delete(f"/webhooks/{created.json()['data']['id']}")
    running.stop()


def test_respond_async_create_branch_reset_delete_answer_operations(
    api: httpx.Client, receiver: Receiver
) -> None:
    accepted = api.post(
        "/databases", json={"name": "op-async", "type": "postgresql"}, headers=ASYNC
    )
    try:
        assert accepted.status_code == 202, accepted.text
        operation = accepted.json()["data"]
        assert operation["id"].startswith("op-") and operation["kind"] == "database.create"
        assert accepted.headers["location"] == f"/v1/operations/{operation['id']}"
        assert follow(api, operation["id"])["status"] == "succeeded"
        database = api.get("/databases/op-async").json()["data"]
        assert database["status"] == "running"

        branched = api.post(
            "/databases/op-async/branches", json={"name": "op-async-b"}, headers=ASYNC
        )
        assert branched.status_code == 202, branched.text
        branch_op = follow(api, branched.json()["data"]["id"])
        assert branch_op["status"] == "succeeded" and branch_op["kind"] == "branch.create"

        reset = api.post("/databases/op-async-b/reset", headers=ASYNC)
        assert reset.status_code == 202, reset.text
        assert follow(api, reset.json()["data"]["id"])["kind"] == "branch.reset"

        listed = api.get("/operations", params={"database_id": "op-async", "limit": 50})
        assert listed.status_code == 200
        assert operation["id"] in [o["id"] for o in listed.json()["data"]]
        assert listed.json()["pagination"]["total"] >= 1

        deleted = api.delete("/databases/op-async?cascade=true", headers=ASYNC)
        assert deleted.status_code == 202, deleted.text
        ended = follow(api, deleted.json()["data"]["id"])
        assert ended["status"] == "succeeded", ended
        assert api.get("/databases/op-async").status_code == 404

        events = [r.payload for r in receiver.wait_for(4)]
        assert all(r.signature_valid for r in receiver.received)
        assert {e["event"] for e in events} == {"operation.succeeded"}
        kinds = {e["data"]["operation"]["kind"] for e in events}
        assert {"database.create", "branch.create", "branch.reset"} <= kinds
    finally:
        api.delete("/databases/op-async?cascade=true")


def test_without_prefer_long_calls_answer_as_documented(api: httpx.Client) -> None:
    created = api.post("/databases", json={"name": "op-sync", "type": "postgresql"})
    try:
        assert created.status_code == 201, created.text
        assert "location" not in created.headers
        assert created.json()["data"]["status"] == "running"
        waited = api.post(
            "/databases",
            json={"name": "op-waited", "type": "postgresql"},
            headers={"Prefer": "respond-async, wait=60"},
        )
        assert waited.status_code == 201, waited.text  # finished within the wait
    finally:
        api.delete("/databases/op-sync")
        api.delete("/databases/op-waited")


def test_async_failures_before_any_operation_fail_the_call(api: httpx.Client) -> None:
    refused = api.post("/databases", json={"name": "Bad Name", "type": "postgresql"}, headers=ASYNC)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
    bad_wait = api.post(
        "/databases", json={"name": "x1", "type": "postgresql"}, headers={"Prefer": "wait=soon"}
    )
    assert bad_wait.status_code == 400, bad_wait.text


def test_operations_are_not_found_or_need_a_database(api: httpx.Client) -> None:
    missing = api.get("/operations/op-000000000000")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
    assert api.get("/operations/nonsense").status_code == 404
    unlisted = api.get("/operations")
    assert unlisted.status_code == 400 and unlisted.json()["error"]["code"] == "VALIDATION_ERROR"
    assert api.get("/operations", params={"database_id": "nobody"}).status_code == 404


def test_graphql_async_mutations_answer_operations_to_follow(
    api: httpx.Client, server: Server
) -> None:
    created = gql(
        server,
        'mutation { createDatabaseAsync(input: {name: "op-gql", type: "postgresql"}) '
        "{ id kind status databaseId } }",
    )
    assert created.get("data"), created
    created = created["data"]["createDatabaseAsync"]
    try:
        assert created["kind"] == "database.create"
        assert follow(api, created["id"])["status"] == "succeeded"
        read = gql(
            server,
            "query($id: ID!, $db: ID!) { operation(id: $id) { status finishedAt } "
            "operations(databaseId: $db) { items { id } pageInfo { total } } }",
            {"id": created["id"], "db": "op-gql"},
        )["data"]
        assert read["operation"]["status"] == "succeeded" and read["operation"]["finishedAt"]
        assert created["id"] in [o["id"] for o in read["operations"]["items"]]
        deleted = gql(server, 'mutation { deleteDatabaseAsync(id: "op-gql") { id kind } }')
        ended = follow(api, deleted["data"]["deleteDatabaseAsync"]["id"])
        assert ended["status"] == "succeeded"
        missing = gql(server, 'mutation { resetDatabaseAsync(id: "op-gql") { id } }')
        assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    finally:
        api.delete("/databases/op-gql")
