"""The SDK against a real `stagdb serve` with real PostgreSQL databases (both metadata
backends): the docs page's workflow, every resource, errors, idempotent retries, webhooks
verified with stagdb.webhooks.verify, and the async client."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import psycopg
import pytest
import stagdb
from stagdb import webhooks

from tests.conftest import Server
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.docker


@pytest.fixture
def sdk(server: Server) -> Iterator[stagdb.Client]:
    with stagdb.Client(server.base_url.removesuffix("/v1"), server.key) as client:
        yield client
        for database in client.databases.list(parent_id=None):
            if database.parent_id is None:
                client.databases.delete(database.id, cascade=True)
        for hook in client.webhooks.list():
            client.webhooks.delete(hook.id)


def query(uri: str, sql: str) -> object:
    with psycopg.connect(uri, connect_timeout=10, autocommit=True) as connection:
        cursor = connection.execute(sql)
        row = cursor.fetchone() if cursor.description else None
    return row[0] if row else None


def test_the_docs_workflow_in_python(sdk: stagdb.Client) -> None:
    db = sdk.databases.create(name="my-app-db", type="postgresql", version="15")
    assert (db.name, db.type, db.version, db.status) == ("my-app-db", "postgresql", "15", "running")
    assert db.connection is not None
    assert query(db.connection.uri, "SELECT 41 + 1") == 42

    info = sdk.databases.get("my-app-db")
    assert info.id == db.id and info.to_dict()["connection"] == db.to_dict()["connection"]

    snap = sdk.snapshots.create("my-app-db", "backup-snapshot")
    assert snap.id.startswith("snap-") and snap.database_id == db.id
    assert sdk.snapshots.get(snap.id).name == "backup-snapshot"
    assert [s.name for s in sdk.snapshots.list("my-app-db")] == ["backup-snapshot"]


def test_branches_reset_lifecycle_and_monitoring(sdk: stagdb.Client) -> None:
    db = sdk.databases.create("sdk-main", "postgresql", description="main")
    assert db.connection is not None
    query(db.connection.uri, "CREATE TABLE t AS SELECT 1 AS n")
    snap = sdk.snapshots.create("sdk-main", "with-t", description="one row")
    query(db.connection.uri, "INSERT INTO t VALUES (2)")

    branch = sdk.branches.create("sdk-main", "sdk-feature")
    from_snapshot = sdk.branches.create_from_snapshot(snap.id, "sdk-from-snap")
    assert branch.parent_id == db.id and from_snapshot.snapshot_id == snap.id
    assert from_snapshot.connection is not None and branch.connection is not None
    assert query(from_snapshot.connection.uri, "SELECT count(*) FROM t") == 1
    assert query(branch.connection.uri, "SELECT count(*) FROM t") == 2
    assert {b.name for b in sdk.branches.list("sdk-main")} == {"sdk-feature", "sdk-from-snap"}
    assert {d.name for d in sdk.databases.list(parent_id="sdk-main")} == {
        "sdk-feature",
        "sdk-from-snap",
    }

    query(branch.connection.uri, "DELETE FROM t")
    reset = sdk.databases.reset("sdk-feature")
    assert reset.connection is not None and reset.connection.uri == branch.connection.uri
    assert query(reset.connection.uri, "SELECT count(*) FROM t") == 2

    updated = sdk.databases.update("sdk-main", description="changed", resources={"memory": "1g"})
    assert (updated.description, updated.resources.memory) == ("changed", "1g")
    assert sdk.databases.stop("sdk-feature").status == "stopped"
    assert sdk.databases.start("sdk-feature").status == "running"

    stats = sdk.databases.stats("sdk-main")
    assert stats.database_id == db.id and stats.storage
    assert any(
        "database system is ready" in line.message for line in sdk.databases.logs("sdk-main")
    )
    assert len(sdk.databases.logs("sdk-main", tail=1)) == 1

    with pytest.raises(stagdb.ResourceBusyError, match="has branches"):
        sdk.databases.delete("sdk-main")
    sdk.snapshots.delete(snap.id, cascade=True)
    sdk.databases.delete("sdk-main", cascade=True)
    with pytest.raises(stagdb.NotFoundError):
        sdk.databases.get("sdk-feature")


def test_errors_carry_code_status_and_request_id(sdk: stagdb.Client, server: Server) -> None:
    with pytest.raises(stagdb.ValidationError) as invalid:
        sdk.databases.create("bad-type", "oracle")
    assert (invalid.value.code, invalid.value.status) == ("VALIDATION_ERROR", 400)
    assert invalid.value.request_id and "postgresql" in invalid.value.message
    with pytest.raises(stagdb.NotFoundError):
        sdk.snapshots.get("snap-000000000000")
    with (
        stagdb.Client(server.base_url, "sdb_wrong") as wrong,
        pytest.raises(stagdb.UnauthorizedError),
    ):
        next(iter(wrong.databases.list()))
    nowhere = stagdb.Client("http://127.0.0.1:9", "k", max_retries=0)
    with nowhere, pytest.raises(stagdb.ConnectionError):
        nowhere.health()
    assert sdk.health().healthy


def test_a_retried_post_makes_one_database(sdk: stagdb.Client, server: Server) -> None:
    """What an SDK retry does after a lost answer: the same Idempotency-Key and body again."""
    body = {"name": "sdk-once", "type": "postgresql"}
    headers = {"Idempotency-Key": "sdk-test-once"}
    with server.client as raw:
        first = raw.post("/databases", json=body, headers=headers)
        again = raw.post("/databases", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert [d.name for d in sdk.databases.list()].count("sdk-once") == 1


def test_webhook_deliveries_verify_with_the_sdk(sdk: stagdb.Client) -> None:
    receiver = Receiver().start()
    try:
        hook = sdk.webhooks.create(receiver.url, ["database.created"], secret="webhook-secret")
        assert hook.secret == "webhook-secret" and hook.secret_set
        receiver.secret = "webhook-secret"
        assert sdk.webhooks.get(hook.id).secret is None
        assert sdk.webhooks.update(hook.id, events=["*"]).events == ["*"]
        delivery = sdk.webhooks.test(hook.id)
        assert delivery.event == "webhook.test"
        db = sdk.databases.create("sdk-hooked", "postgresql")
        received = receiver.wait_for(2)
        created = next(r for r in received if r.event == "database.created")
        event = webhooks.verify(created.body, created.headers, "webhook-secret")
        assert event.event == "database.created"
        assert {"database_id", "name", "type"} <= set(event.data)
        assert (event.data["database_id"], event.data["name"]) == (db.id, "sdk-hooked")
        with pytest.raises(webhooks.WebhookVerificationError):
            webhooks.verify(created.body, created.headers, "not-the-secret")
        assert {d.event for d in sdk.webhooks.deliveries(hook.id)} >= {"webhook.test"}
        assert [h.id for h in sdk.webhooks.list()] == [hook.id]
        sdk.webhooks.delete(hook.id)
    finally:
        receiver.stop()


def test_async_client_runs_the_same_workflow(server: Server) -> None:
    async def main() -> None:
        async with stagdb.AsyncClient(server.base_url, server.key) as sdk:
            db = await sdk.databases.create("sdk-async", "postgresql")
            assert db.status == "running"
            snap = await sdk.snapshots.create("sdk-async", "a1")
            branch = await sdk.branches.create_from_snapshot(snap.id, "sdk-async-b")
            assert branch.parent_id == db.id
            assert [b.name async for b in sdk.branches.list("sdk-async")] == ["sdk-async-b"]
            assert (await sdk.health()).healthy
            await sdk.databases.delete("sdk-async", cascade=True)
            assert [d.name async for d in sdk.databases.list()] == []

    asyncio.run(main())
