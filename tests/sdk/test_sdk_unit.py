"""The SDK without a server (httpx.MockTransport): base URLs, errors per code, retries and
their back-off, idempotency keys across retries, paging, results, webhook verification."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import stagdb
from stagdb import webhooks
from stagdb._retry import RetryPolicy

DATABASE = {
    "id": "db-7k2m9x4p1q8z",
    "name": "my-app-db",
    "type": "postgresql",
    "version": "15",
    "status": "running",
    "error": None,
    "host": "127.0.0.1",
    "port": 15000,
    "connection": {
        "uri": "postgresql://postgres:pw@127.0.0.1:15000/postgres",
        "host": "127.0.0.1",
        "port": 15000,
        "username": "postgres",
        "password": "pw",
        "database": "postgres",
    },
    "description": "",
    "resources": {"memory": None, "cpus": None},
    "parent_id": None,
    "snapshot_id": None,
    "created_at": "2025-01-15T10:30:00.123456Z",
    "updated_at": "2025-01-15T10:30:04.654321Z",
}
Handler = Callable[[httpx.Request], httpx.Response]


def ok(data: object, status: int = 200, **extra: object) -> httpx.Response:
    return httpx.Response(status, json={"success": True, "data": data, "message": "ok", **extra})


def fail(status: int, code: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"success": False, "error": {"code": code, "message": f"{code} happened"}}
    return httpx.Response(status, json=body, headers={"X-Request-ID": "req-1", **(headers or {})})


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    waited: list[float] = []
    monkeypatch.setattr(time, "sleep", waited.append)
    yield waited


def client(handler: Handler, **options: Any) -> stagdb.Client:
    return stagdb.Client(
        "http://stagdb.test", "sdb_key", transport=httpx.MockTransport(handler), **options
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1"),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
        ("https://api.example.com/v1/", "https://api.example.com/v1"),
    ],
)
def test_base_url_with_or_without_v1(given: str, expected: str) -> None:
    assert stagdb.Client(given).base_url == expected


def test_environment_supplies_url_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGDB_URL", "http://10.9.8.7:9000")
    monkeypatch.setenv("STAGDB_API_KEY", "sdb_from_env")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok({"status": "healthy", "dependencies": {}})

    with stagdb.Client(transport=httpx.MockTransport(handler)) as sdk:
        assert sdk.base_url == "http://10.9.8.7:9000/v1"
        assert sdk.health().healthy
    assert seen[0].headers["Authorization"] == "Bearer sdb_from_env"
    assert str(seen[0].url) == "http://10.9.8.7:9000/v1/health"


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "VALIDATION_ERROR", stagdb.ValidationError),
        (401, "UNAUTHORIZED", stagdb.UnauthorizedError),
        (404, "NOT_FOUND", stagdb.NotFoundError),
        (507, "INSUFFICIENT_RESOURCES", stagdb.InsufficientResourcesError),
        (500, "SERVER_ERROR", stagdb.ServerError),
    ],
)
def test_each_code_raises_its_class(
    status: int, code: str, cls: type[stagdb.StagDBError], sleeps: list[float]
) -> None:
    with client(lambda request: fail(status, code)) as sdk, pytest.raises(cls) as raised:
        sdk.databases.get("my-app-db")
    error = raised.value
    assert isinstance(error, stagdb.StagDBError)
    assert (error.code, error.status, error.request_id) == (code, status, "req-1")
    assert error.message == f"{code} happened"
    assert sleeps == []  # none of these is retried


def test_an_answer_that_is_not_ours_is_a_server_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>Bad Gateway</html>")

    with client(handler) as sdk, pytest.raises(stagdb.ServerError, match="HTTP 502"):
        sdk.databases.get("x")


def test_rate_limited_waits_as_retry_after_says(sleeps: list[float]) -> None:
    answers = iter([fail(429, "RATE_LIMITED", {"Retry-After": "2"}), ok(DATABASE)])
    with client(lambda request: next(answers)) as sdk:
        assert sdk.databases.get("my-app-db").name == "my-app-db"
    assert len(sleeps) == 1 and 2 <= sleeps[0] <= 2.5


def test_rate_limited_too_long_is_raised_with_retry_after(sleeps: list[float]) -> None:
    with (
        client(lambda request: fail(429, "RATE_LIMITED", {"Retry-After": "1800"})) as sdk,
        pytest.raises(stagdb.RateLimitedError) as raised,
    ):
        sdk.databases.get("my-app-db")
    assert raised.value.retry_after == 1800
    assert sleeps == []


def test_busy_and_connection_failures_back_off_then_give_up(sleeps: list[float]) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) % 2:
            raise httpx.ConnectError("connection refused", request=request)
        return fail(409, "RESOURCE_BUSY")

    with client(handler) as sdk, pytest.raises(stagdb.ResourceBusyError):
        sdk.databases.stop("my-app-db")
    assert len(calls) == 4  # the call and max_retries=3 retries
    ceilings = [0.5, 1.0, 2.0]
    assert len(sleeps) == 3
    assert all(0 <= wait <= ceiling for wait, ceiling in zip(sleeps, ceilings, strict=True))


def test_back_off_is_jittered_exponential_capped_at_8_seconds() -> None:
    policy = RetryPolicy(max_retries=20)
    for attempt in range(12):
        waits = [policy.backoff(attempt) for _ in range(200)]
        assert max(waits) <= min(8.0, 0.5 * 2**attempt)
        assert len(set(waits)) > 100  # jittered, not a fixed schedule
    assert max(policy.backoff(10) for _ in range(500)) > 4  # reaches toward the cap


def test_a_connection_failure_after_all_retries_is_a_connection_error(sleeps: list[float]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with client(handler, max_retries=1) as sdk, pytest.raises(stagdb.ConnectionError) as raised:
        sdk.databases.list().__next__()
    assert raised.value.code == "CONNECTION_ERROR"
    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert len(sleeps) == 1


def test_every_post_carries_one_idempotency_key_across_its_retries(sleeps: list[float]) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) in (1, 3):
            raise httpx.ReadTimeout("timed out", request=request)
        if len(calls) == 2:
            return fail(409, "RESOURCE_BUSY")  # the first attempt is still running
        return ok(DATABASE, 201)

    with client(handler) as sdk:
        created = sdk.databases.create("my-app-db", "postgresql", version="15")
        assert created.id == DATABASE["id"]
        sdk.databases.create("my-app-db", "postgresql", version="15")
    keys = [request.headers.get("Idempotency-Key") for request in calls]
    assert len(set(keys[:4])) == 1 and keys[0] is not None and len(keys[0]) == 36
    assert keys[4] != keys[0]  # a new call, a new key
    assert json.loads(calls[0].content) == {
        "name": "my-app-db",
        "type": "postgresql",
        "version": "15",
    }


def test_other_methods_carry_no_idempotency_key() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return ok(DATABASE if request.method != "DELETE" else None)

    with client(handler) as sdk:
        sdk.databases.get("my-app-db")
        sdk.databases.update("my-app-db", description="x")
        sdk.databases.delete("my-app-db", cascade=True)
    assert all("Idempotency-Key" not in request.headers for request in calls)
    assert str(calls[2].url) == "http://stagdb.test/v1/databases/my-app-db?cascade=true"


def test_a_replayed_busy_answer_is_final(sleeps: list[float]) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        answer = fail(409, "RESOURCE_BUSY")
        if len(calls) > 1:
            answer.headers["Idempotent-Replayed"] = "true"
        return answer

    with client(handler) as sdk, pytest.raises(stagdb.ResourceBusyError):
        sdk.databases.start("my-app-db")
    assert len(calls) == 2 and len(sleeps) == 1


def test_list_walks_every_page_and_results_give_back_the_api_json() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        assert request.url.params["limit"] == "100"
        assert request.url.params["status"] == "running"
        items = [DATABASE | {"id": f"db-{page:012d}", "name": f"db{page}"}]
        return ok(items, pagination={"page": page, "limit": 100, "total": 3, "pages": 3})

    with client(handler) as sdk:
        found = list(sdk.databases.list(status="running"))
    assert [d.name for d in found] == ["db1", "db2", "db3"]
    first = found[0]
    assert first.connection is not None
    assert first.connection.uri.startswith("postgresql://postgres:pw@")
    assert first.created_at.year == 2025 and first.created_at.tzinfo is not None
    assert first.to_dict() == DATABASE | {"id": "db-000000000001", "name": "db1"}


def test_names_are_quoted_into_paths() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return ok(DATABASE)

    with client(handler) as sdk:
        sdk.databases.get("a/b c")
    assert seen == ["/v1/databases/a%2Fb%20c"]


def test_promote_and_schema_diff_send_what_the_api_documents() -> None:
    seen: list[tuple[str, str, bytes]] = []
    side = {"type": "database", "id": "db-7f3k9m2p4q8r", "name": "my-app-db"}
    empty = {"added": [], "removed": [], "changed": []}
    diff = {"database": side, "against": side, "identical": True, "tables": empty,
            "indexes": empty, "constraints": empty, "views": empty, "functions": empty,
            "unified_diff": ""}  # fmt: skip

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, str(request.url), request.content))
        return ok(diff if request.method == "GET" else DATABASE)

    with client(handler) as sdk:
        assert sdk.databases.promote("pr-7").name == "my-app-db"
        sdk.databases.promote("pr-8", keep_branch=True)
        found = sdk.databases.schema_diff("pr-7", against="snap-4h8w2n6c0r3t")
    assert found.identical and found.against.name == "my-app-db" and found.unified_diff == ""
    assert found.to_dict() == diff
    assert seen == [
        ("POST", "http://stagdb.test/v1/databases/pr-7/promote", b""),
        ("POST", "http://stagdb.test/v1/databases/pr-8/promote", b'{"keep_branch":true}'),
        ("GET", "http://stagdb.test/v1/databases/pr-7/schema-diff?against=snap-4h8w2n6c0r3t",
         b""),
    ]  # fmt: skip


def test_async_client_has_the_same_surface(monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", no_sleep)
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return fail(429, "RATE_LIMITED", {"Retry-After": "1"})
        if request.url.path.endswith("/databases") and request.method == "GET":
            return ok([DATABASE], pagination={"page": 1, "limit": 100, "total": 1, "pages": 1})
        return ok(DATABASE, 201)

    async def main() -> None:
        transport = httpx.MockTransport(handler)
        async with stagdb.AsyncClient("http://stagdb.test/v1", "k", transport=transport) as sdk:
            made = await sdk.databases.create("my-app-db", "postgresql")
            assert made.status == "running"
            assert [d.name async for d in sdk.databases.list()] == ["my-app-db"]

    asyncio.run(main())
    assert calls[0].headers["Idempotency-Key"] == calls[1].headers["Idempotency-Key"]
    assert len(waited) == 1


# --- webhooks.verify ---------------------------------------------------------------------

SECRET = "webhook-secret"
BODY = (
    b'{"data":{"database_id":"db-12345","name":"my-app-db","type":"postgresql"},'
    b'"event":"database.created","timestamp":"2024-01-15T10:00:00Z"}'
)


def signed_headers(
    body: bytes = BODY, at: int | None = None, secret: str = SECRET
) -> dict[str, str]:
    timestamp = str(int(time.time()) if at is None else at)
    return {
        "X-StagDB-Timestamp": timestamp,
        "X-StagDB-Signature": webhooks.sign(body, timestamp, secret),
        "X-StagDB-Delivery": "dl-1",
        "X-StagDB-Event": "database.created",
    }


def test_verify_returns_the_event() -> None:
    event = webhooks.verify(BODY, signed_headers(), SECRET)
    assert (event.event, event.delivery_id) == ("database.created", "dl-1")
    assert event.data == {"database_id": "db-12345", "name": "my-app-db", "type": "postgresql"}
    assert event.timestamp is not None and event.timestamp.year == 2024
    assert event.to_dict() == json.loads(BODY)


def test_verify_matches_the_signature_readme_documents() -> None:
    import hashlib
    import hmac

    expected = "sha256=" + hmac.new(b"s3cret", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert webhooks.sign(BODY, 1700000000, "s3cret") == expected


@pytest.mark.parametrize(
    ("body", "headers", "says"),
    [
        (BODY + b" ", signed_headers(), "does not match"),
        (BODY, signed_headers(secret="another"), "does not match"),
        (BODY, signed_headers(at=int(time.time()) - 301), "too old"),
        (BODY, {"X-StagDB-Timestamp": "1"}, "missing"),
    ],
)
def test_verify_refuses_altered_foreign_or_stale_deliveries(
    body: bytes, headers: dict[str, str], says: str
) -> None:
    with pytest.raises(webhooks.WebhookVerificationError, match=says):
        webhooks.verify(body, headers, SECRET)


def test_verify_accepts_lower_case_headers_and_text_bodies() -> None:
    headers = {name.lower(): value for name, value in signed_headers().items()}
    assert webhooks.verify(BODY.decode(), headers, SECRET, tolerance=5).event == "database.created"


def test_databases_and_snapshots_carry_the_upkeep_fields() -> None:
    from stagdb.models import Database, Snapshot

    raw = {
        "id": "db-0123456789ab", "name": "kept", "type": "postgresql", "version": "15",
        "status": "running", "error": None, "host": "127.0.0.1", "port": 15000,
        "connection": None, "description": "", "resources": {"memory": None, "cpus": None},
        "parent_id": None, "snapshot_id": None, "created_at": "2026-11-27T10:00:00Z",
        "updated_at": "2026-11-27T10:00:00Z", "expires_at": "2026-11-28T10:00:00Z",
        "protected": True, "auto_stop_after": "15m",
        "snapshot_schedule": {"every": "1h", "keep": 24},
    }  # fmt: skip
    database = Database.from_dict(raw)
    assert database.protected and database.auto_stop_after == "15m"
    assert database.expires_at is not None and database.expires_at.day == 28
    assert database.snapshot_schedule is not None and database.snapshot_schedule.keep == 24
    assert database.to_dict() == raw
    snapshot = Snapshot.from_dict(
        {"id": "snap-0123456789ab", "name": "scheduled-x", "database_id": raw["id"],
         "description": "", "status": "ready", "size": {}, "scheduled": True,
         "created_at": "2026-11-27T10:00:00Z"}
    )  # fmt: skip
    assert snapshot.scheduled


OPERATION = {
    "id": "op-3n8b1v6c9x2z",
    "kind": "database.import",
    "status": "running",
    "database_id": "db-7k2m9x4p1q8z",
    "progress": {"phase": "restore", "bytes_done": None, "bytes_total": None,
                 "objects_done": 3, "objects_total": 8},
    "error": None,
    "source": "postgresql://app@prod.internal:5432/shop",
    "mask": None,
    "created_at": "2025-01-15T10:30:00Z",
    "finished_at": None,
}  # fmt: skip


def test_imports_wait_for_the_database_and_operations_are_read() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v1/operations":
            return ok([OPERATION], pagination={"page": 1, "limit": 100, "total": 1, "pages": 1})
        if request.url.path.startswith("/v1/operations/"):
            return ok(OPERATION)
        return ok({**DATABASE, "source": OPERATION["source"], "masked": True}, 201)

    with client(handler) as sdk:
        db = sdk.databases.create("my-app-db", "postgresql", source={"uri": "postgresql://a:b@h/d"})
        assert db.source == OPERATION["source"] and db.masked is True
        assert seen[-1].url.params["wait"] == "true"
        assert json.loads(seen[-1].content)["source"] == {"uri": "postgresql://a:b@h/d"}
        operation = sdk.operations.get("op-3n8b1v6c9x2z")
        assert operation.progress is not None and operation.progress.objects_done == 3
        assert not operation.done
        assert [o.id for o in sdk.operations.list("my-app-db")] == [OPERATION["id"]]
        assert seen[-1].url.params["database_id"] == "my-app-db"
        sdk.branches.create("my-app-db", "raw", mask=False)
        assert json.loads(seen[-1].content) == {"name": "raw", "mask": False}
