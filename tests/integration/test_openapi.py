"""openapi.yaml is a valid OpenAPI 3.1 document and the contract of the running server:
every documented operation is served, and real answers match their documented schemas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import docker
import httpx
import pytest
import yaml
from openapi_spec_validator import validate
from starlette.routing import BaseRoute, Mount, Route

from app.config import Settings
from app.main import create_app
from tests.conftest import Server, launch_server, shut_down
from tests.openapi_contract import (
    BASE_PATH,
    JSON,
    SPEC,
    assert_request_body_matches,
    assert_response_matches,
    assert_valid,
    documented_statuses,
    operations,
    pointer,
    resolve,
)

pytestmark = pytest.mark.docker

UNKNOWN_ID = "db-000000000000"
UNKNOWN_SNAPSHOT = "snap-000000000000"
UNKNOWN_WEBHOOK = "wh-000000000000"
UNKNOWN_PROJECT = "prj-000000000000"
UNKNOWN_KEY = "key-000000000000"
DB = "/databases"
DB_ID = "/databases/{id}"
SNAP_ID = "/snapshots/{id}"
STATS = "/databases/{id}/stats"
LOGS = "/databases/{id}/logs"
PROJECTS = "/projects"
PROJECT_ID = "/projects/{id}"
KEYS = "/keys"
KEY_ID = "/keys/{id}"
AUDIT = "/audit"
CREATE = {"name": "contract-db", "type": "postgresql", "version": "15"}

# What each operation answers when probed with an unknown id and an empty JSON body.
PROBE_STATUS = {
    "listDatabases": 200,
    "createDatabase": 400,
    "getDatabase": 404,
    "updateDatabase": 404,
    "deleteDatabase": 404,
    "startDatabase": 404,
    "stopDatabase": 404,
    "resetDatabase": 404,
    "getSchemaDiff": 404,
    "promoteBranch": 404,
    "refreshDatabase": 404,
    "getDatabaseStats": 404,
    "getDatabaseLogs": 404,
    "listSnapshots": 404,
    "createSnapshot": 400,  # the empty body lacks `name`, checked before the database
    "getSnapshot": 404,
    "deleteSnapshot": 404,
    "listBranches": 404,
    "branchDatabase": 400,  # likewise
    "branchSnapshot": 400,  # likewise
    "getHealth": 200,
    "getOpenApiYaml": 200,
    "getOpenApiJson": 200,
    "listWebhooks": 200,
    "createWebhook": 400,
    "getWebhook": 404,
    "updateWebhook": 404,
    "deleteWebhook": 404,
    "testWebhook": 404,
    "listWebhookDeliveries": 404,
    "listOperations": 400,  # database_id is required
    "getOperation": 404,
    "listProjects": 200,
    "createProject": 400,  # the empty body lacks `name`
    "getProject": 404,
    "updateProject": 404,
    "deleteProject": 404,
    "listKeys": 200,
    "createKey": 400,  # likewise
    "getKey": 404,
    "revokeKey": 404,
    "listAuditEntries": 200,
}


def with_unknown_id(path_template: str) -> str:
    """The path with an id nothing has: a snapshot id under /snapshots, a webhook id under
    /webhooks, a project id under /projects, a key id under /keys, a database id elsewhere."""
    unknown = {
        "snapshots": UNKNOWN_SNAPSHOT,
        "webhooks": UNKNOWN_WEBHOOK,
        "projects": UNKNOWN_PROJECT,
        "keys": UNKNOWN_KEY,
    }.get(path_template.split("/")[1], UNKNOWN_ID)
    return path_template.replace("{id}", unknown)


def served_routes(routes: list[BaseRoute], prefix: str = "") -> set[tuple[str, str]]:
    """(full path template, METHOD) for every route of the app, through its mounts."""
    served: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Mount):
            served |= served_routes(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            methods = set(route.methods or ())
            if "GET" in methods:
                methods.discard("HEAD")  # Starlette adds HEAD to every GET route
            served |= {(prefix + route.path, method) for method in methods}
    return served


def test_spec_is_valid_openapi_3_1() -> None:
    assert SPEC["openapi"] == "3.1.0"
    validate(SPEC)
    ids = [op["operationId"] for _, _, op in operations()]
    assert len(ids) == len(set(ids)), ids
    for path, method, op in operations():
        assert op.get("summary"), f"{method} {path} has no summary"
        assert op["responses"], f"{method} {path} has no responses"


def test_examples_match_their_schemas() -> None:
    checked = 0
    for path, method, op in operations():
        for status in op["responses"]:
            at, response = resolve(pointer("paths", path, method.lower(), "responses", status))
            media = response["content"].get(JSON, {})  # the YAML document has no JSON
            for name, example in media.get("examples", {}).items():
                schema_at = at + pointer("content", JSON, "schema")
                assert_valid(example["value"], schema_at, f"{method} {path} {status} {name}")
                checked += 1
        request_media = op.get("requestBody", {}).get("content", {}).get(JSON, {})
        for example in request_media.get("examples", {}).values():
            assert_request_body_matches(method, path, example["value"])
            checked += 1
    assert checked >= len(PROBE_STATUS)


def test_route_table_matches_the_spec_both_ways() -> None:
    app = create_app(Settings.from_env({}))
    # Only the REST API is documented here: other apps (such as /graphql) live outside /v1.
    served = {
        (path, method)
        for path, method in served_routes(app.routes)
        if path.startswith(BASE_PATH + "/")
    }
    documented = {(BASE_PATH + path, method) for path, method, _ in operations()}
    assert served - documented == set(), "served but not documented"
    assert documented - served == set(), "documented but not served"


def test_every_documented_operation_answers_as_documented(server: Server) -> None:
    assert set(PROBE_STATUS) == {op["operationId"] for _, _, op in operations()}
    with server.client as api:
        for path, method, op in operations():
            url = with_unknown_id(path)
            body: dict[str, object] | None = {} if "requestBody" in op else None
            request_id = f"probe.{op['operationId']}"
            response = api.request(method, url, json=body, headers={"X-Request-ID": request_id})
            what = f"{method} {url}: {response.status_code} {response.text[:300]}"
            assert response.status_code != 405, what
            assert response.headers.get("X-Request-ID") == request_id, what
            assert str(response.status_code) in documented_statuses(method, path), what
            if op["operationId"] == "getOpenApiYaml":
                assert response.headers["content-type"].startswith("application/yaml"), what
                assert yaml.safe_load(response.content) == SPEC
            else:
                assert_response_matches(method, path, response)
            if response.status_code == 404:
                assert not response.json()["error"]["message"].startswith("No route"), what
            assert response.status_code == PROBE_STATUS[op["operationId"]], what


def test_database_lifecycle_matches_the_spec(api: httpx.Client) -> None:
    assert_request_body_matches("POST", DB, CREATE)
    created = api.post(DB, json=CREATE)
    assert_response_matches("POST", DB, created)
    assert created.status_code == 201, created.text
    try:
        database = created.json()["data"]
        assert (database["name"], database["status"]) == ("contract-db", "running")
        assert database["id"].startswith("db-")

        by_name = api.get(f"{DB}/contract-db")
        assert_response_matches("GET", DB_ID, by_name)
        assert by_name.status_code == 200
        assert by_name.json()["data"]["id"] == database["id"]

        listed = api.get(DB)
        assert_response_matches("GET", DB, listed)
        assert listed.status_code == 200
        assert listed.json()["pagination"] == {"page": 1, "limit": 20, "total": 1, "pages": 1}

        filtered = api.get(
            DB, params={"page": 1, "limit": 1, "type": "postgresql", "status": "running"}
        )
        assert_response_matches("GET", DB, filtered)
        assert [d["id"] for d in filtered.json()["data"]] == [database["id"]]
        past_the_end = api.get(DB, params={"page": 2, "limit": 1})
        assert_response_matches("GET", DB, past_the_end)
        assert past_the_end.json()["data"] == []

        change = {"description": "Backend for my app"}
        assert_request_body_matches("PUT", DB_ID, change)
        updated = api.put(f"{DB}/contract-db", json=change)
        assert_response_matches("PUT", DB_ID, updated)
        assert updated.status_code == 200, updated.text
        assert updated.json()["data"]["description"] == "Backend for my app"

        stopped = api.post(f"{DB}/{database['id']}/stop")
        assert_response_matches("POST", f"{DB_ID}/stop", stopped)
        assert stopped.status_code == 200, stopped.text
        assert stopped.json()["data"]["status"] == "stopped"

        started = api.post(f"{DB}/contract-db/start")
        assert_response_matches("POST", f"{DB_ID}/start", started)
        assert started.status_code == 200, started.text
        assert started.json()["data"]["status"] == "running"

        rejected = api.put(f"{DB}/contract-db", json={"colour": "red"})
        assert_response_matches("PUT", DB_ID, rejected)
        assert rejected.status_code == 400

        deleted = api.delete(f"{DB}/contract-db")
        assert_response_matches("DELETE", DB_ID, deleted)
        assert deleted.status_code == 200, deleted.text

        gone = api.get(f"{DB}/{database['id']}")
        assert_response_matches("GET", DB_ID, gone)
        assert gone.status_code == 404
    finally:
        api.delete(f"{DB}/contract-db")
    assert api.get(DB).json()["pagination"]["total"] == 0


def test_snapshots_branches_and_reset_match_the_spec(api: httpx.Client) -> None:
    root_body = {**CREATE, "name": "contract-root"}
    created = api.post(DB, json=root_body)
    assert_response_matches("POST", DB, created)
    assert created.status_code == 201, created.text
    try:
        root = created.json()["data"]

        snapshot_body = {"name": "before", "description": "Nothing written yet"}
        assert_request_body_matches("POST", f"{DB_ID}/snapshots", snapshot_body)
        taken = api.post(f"{DB}/contract-root/snapshots", json=snapshot_body)
        assert_response_matches("POST", f"{DB_ID}/snapshots", taken)
        assert taken.status_code == 201, taken.text
        snapshot = taken.json()["data"]
        assert snapshot["id"].startswith("snap-")
        assert (snapshot["name"], snapshot["database_id"], snapshot["status"]) == (
            "before",
            root["id"],
            "ready",
        )

        listed = api.get(f"{DB}/{root['id']}/snapshots")
        assert_response_matches("GET", f"{DB_ID}/snapshots", listed)
        assert listed.status_code == 200, listed.text
        assert listed.json()["data"] == [snapshot]
        assert listed.json()["pagination"] == {"page": 1, "limit": 20, "total": 1, "pages": 1}

        fetched = api.get(f"/snapshots/{snapshot['id']}")
        assert_response_matches("GET", SNAP_ID, fetched)
        assert fetched.status_code == 200, fetched.text
        assert fetched.json()["data"] == snapshot

        live_body = {"name": "contract-live", "description": "The root as it is now"}
        assert_request_body_matches("POST", f"{DB_ID}/branches", live_body)
        from_database = api.post(f"{DB}/contract-root/branches", json=live_body)
        assert_response_matches("POST", f"{DB_ID}/branches", from_database)
        assert from_database.status_code == 201, from_database.text
        live = from_database.json()["data"]
        assert (live["parent_id"], live["status"]) == (root["id"], "running")
        assert live["snapshot_id"] not in (None, snapshot["id"])

        old_body = {"name": "contract-old"}
        assert_request_body_matches("POST", f"{SNAP_ID}/branches", old_body)
        from_snapshot = api.post(f"/snapshots/{snapshot['id']}/branches", json=old_body)
        assert_response_matches("POST", f"{SNAP_ID}/branches", from_snapshot)
        assert from_snapshot.status_code == 201, from_snapshot.text
        old = from_snapshot.json()["data"]
        assert (old["parent_id"], old["snapshot_id"]) == (root["id"], snapshot["id"])

        branches = api.get(f"{DB}/contract-root/branches", params={"page": 1, "limit": 1})
        assert_response_matches("GET", f"{DB_ID}/branches", branches)
        assert branches.status_code == 200, branches.text
        assert [b["id"] for b in branches.json()["data"]] == [live["id"]]
        assert branches.json()["pagination"]["total"] == 2
        all_branches = api.get(f"{DB}/contract-root/branches")
        assert_response_matches("GET", f"{DB_ID}/branches", all_branches)
        assert [b["name"] for b in all_branches.json()["data"]] == ["contract-live", "contract-old"]

        with_taken = api.get(f"{DB}/contract-root/snapshots")
        assert_response_matches("GET", f"{DB_ID}/snapshots", with_taken)
        assert [s["id"] for s in with_taken.json()["data"]] == [snapshot["id"], live["snapshot_id"]]

        reset = api.post(f"{DB}/contract-old/reset")
        assert_response_matches("POST", f"{DB_ID}/reset", reset)
        assert reset.status_code == 200, reset.text
        after = reset.json()["data"]
        for field in ("id", "name", "port", "connection", "parent_id", "snapshot_id"):
            assert after[field] == old[field], field
        assert after["status"] == "running"

        no_origin = api.post(f"{DB}/contract-root/reset", json={})
        assert_response_matches("POST", f"{DB_ID}/reset", no_origin)
        assert no_origin.status_code == 400, no_origin.text

        has_branches = api.delete(f"{DB}/contract-root")
        assert_response_matches("DELETE", DB_ID, has_branches)
        assert has_branches.status_code == 409, has_branches.text

        refused = api.delete(f"/snapshots/{snapshot['id']}")
        assert_response_matches("DELETE", SNAP_ID, refused)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "RESOURCE_BUSY"
        assert "contract-old" in refused.json()["error"]["message"]

        cascaded = api.delete(f"/snapshots/{snapshot['id']}", params={"cascade": "true"})
        assert_response_matches("DELETE", SNAP_ID, cascaded)
        assert cascaded.status_code == 200, cascaded.text
        gone = api.get(f"/snapshots/{snapshot['id']}")
        assert_response_matches("GET", SNAP_ID, gone)
        assert gone.status_code == 404
        assert api.get(f"{DB}/contract-old").status_code == 404
        assert api.get(f"{DB}/contract-live").status_code == 200

        deleted = api.delete(f"{DB}/contract-root", params={"cascade": "1"})
        assert_response_matches("DELETE", DB_ID, deleted)
        assert deleted.status_code == 200, deleted.text
        for name in ("contract-root", "contract-live"):
            assert api.get(f"{DB}/{name}").status_code == 404, name
    finally:
        api.delete(f"{DB}/contract-root", params={"cascade": "true"})
    assert api.get(DB).json()["pagination"]["total"] == 0


def test_errors_match_the_spec(server: Server, api: httpx.Client) -> None:
    with httpx.Client(base_url=server.base_url, timeout=30) as anonymous:
        missing_key = anonymous.get(DB)
        assert_response_matches("GET", DB, missing_key)
        assert missing_key.status_code == 401
        wrong_key = anonymous.post(
            DB, json=CREATE, headers={"Authorization": "Bearer sdb_not-a-key"}
        )
        assert_response_matches("POST", DB, wrong_key)
        assert wrong_key.status_code == 401

    bad_json = api.post(DB, content=b"{not json", headers={"Content-Type": JSON})
    assert_response_matches("POST", DB, bad_json)
    assert bad_json.status_code == 400

    wrong_type = api.post(DB, content=b"name=x", headers={"Content-Type": "text/plain"})
    assert_response_matches("POST", DB, wrong_type)
    assert wrong_type.status_code == 400

    for params in ({"limit": 0}, {"page": "x"}, {"status": "sleeping"}, {"type": "oracle"}):
        bad_query = api.get(DB, params=params)
        assert_response_matches("GET", DB, bad_query)
        assert bad_query.status_code == 400, params

    unknown_parent = api.get(DB, params={"parent_id": UNKNOWN_ID})
    assert_response_matches("GET", DB, unknown_parent)
    assert unknown_parent.status_code == 404

    unknown_ids: list[tuple[str, str, dict[str, object] | None]] = [
        ("GET", DB_ID, None),
        ("DELETE", DB_ID, None),
        ("POST", f"{DB_ID}/stop", None),
        ("POST", f"{DB_ID}/reset", None),
        ("POST", f"{DB_ID}/snapshots", {"name": "nightly"}),
        ("POST", f"{DB_ID}/branches", {"name": "pr-7"}),
        ("GET", SNAP_ID, None),
        ("DELETE", SNAP_ID, None),
        ("POST", f"{SNAP_ID}/branches", {"name": "pr-7"}),
    ]
    for method, template, body in unknown_ids:
        if body is not None:
            assert_request_body_matches(method, template, body)
        unknown = api.request(method, with_unknown_id(template), json=body)
        assert_response_matches(method, template, unknown)
        assert unknown.status_code == 404, (method, template, unknown.text)

    for template in (DB_ID, SNAP_ID):
        bad_flag = api.delete(with_unknown_id(template), params={"cascade": "maybe"})
        assert_response_matches("DELETE", template, bad_flag)
        assert bad_flag.status_code == 400, (template, bad_flag.text)

    not_json = api.post(
        f"{DB}/{UNKNOWN_ID}/reset", content=b"{}", headers={"Content-Type": "text/plain"}
    )
    assert_response_matches("POST", f"{DB_ID}/reset", not_json)
    assert not_json.status_code == 400, not_json.text


def test_projects_keys_scopes_and_the_audit_trail_match_the_spec(
    server: Server, api: httpx.Client
) -> None:
    """Admin routes, a key of another project with scope `read` (403 outside its scope, 401
    once revoked) and the audit trail of what it tried; nothing here needs a container."""
    body = {"name": "contract-team", "quotas": {"databases": 2, "memory": "1g", "disk": "10g"}}
    assert_request_body_matches("POST", PROJECTS, body)
    created = api.post(PROJECTS, json=body)
    assert_response_matches("POST", PROJECTS, created)
    assert created.status_code == 201, created.text
    project = created.json()["data"]
    try:
        listed = api.get(PROJECTS)
        assert_response_matches("GET", PROJECTS, listed)
        assert project in listed.json()["data"]

        by_name = api.get(f"{PROJECTS}/contract-team")
        assert_response_matches("GET", PROJECT_ID, by_name)
        assert by_name.status_code == 200, by_name.text
        assert by_name.json()["data"]["usage"] == {"databases": 0, "memory": "0", "disk_bytes": 0}

        change = {"quotas": {"disk": None}}
        assert_request_body_matches("PUT", PROJECT_ID, change)
        updated = api.put(f"{PROJECTS}/{project['id']}", json=change)
        assert_response_matches("PUT", PROJECT_ID, updated)
        assert updated.json()["data"]["quotas"] == {"databases": 2, "memory": "1g", "disk": None}

        taken = api.post(PROJECTS, json={"name": "contract-team"})
        assert_response_matches("POST", PROJECTS, taken)
        assert taken.status_code == 400, taken.text

        key_body = {"name": "contract-read", "scope": "read", "project_id": project["id"],
                    "ttl": "1h"}  # fmt: skip
        assert_request_body_matches("POST", KEYS, key_body)
        made = api.post(KEYS, json=key_body)
        assert_response_matches("POST", KEYS, made)
        assert made.status_code == 201, made.text
        key, key_id = made.json()["data"]["key"], made.json()["data"]["id"]
        assert made.json()["data"]["prefix"] == key[:10]

        nowhere = api.post(KEYS, json={"name": "stray", "project_id": UNKNOWN_PROJECT})
        assert_response_matches("POST", KEYS, nowhere)
        assert nowhere.status_code == 404, nowhere.text

        reader = httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
        )
        with reader:
            own = reader.get(DB, params={"include": "credentials"})
            assert_response_matches("GET", DB, own)
            assert own.status_code == 200 and own.json()["data"] == [], own.text
            for method, template, path in (("POST", DB, DB), ("GET", KEYS, KEYS)):
                refused = reader.request(method, path, json={} if method == "POST" else None)
                assert_response_matches(method, template, refused)
                assert refused.status_code == 403, refused.text
                assert refused.json()["error"]["code"] == "FORBIDDEN"
                assert "X-RateLimit-Limit" not in refused.headers

            keys = api.get(KEYS, params={"project_id": project["id"]})
            assert_response_matches("GET", KEYS, keys)
            assert [k["id"] for k in keys.json()["data"]] == [key_id]
            assert keys.json()["data"][0]["last_used_at"] is not None
            fetched = api.get(f"{KEYS}/{key_id}")
            assert_response_matches("GET", KEY_ID, fetched)
            assert fetched.json()["data"] == keys.json()["data"][0]

            revoked = api.delete(f"{KEYS}/{key_id}")
            assert_response_matches("DELETE", KEY_ID, revoked)
            assert revoked.status_code == 200, revoked.text
            again = api.delete(f"{KEYS}/{key_id}")
            assert_response_matches("DELETE", KEY_ID, again)
            assert again.json()["data"]["revoked_at"] == revoked.json()["data"]["revoked_at"]

            gone = reader.get(DB)
            assert_response_matches("GET", DB, gone)
            assert gone.status_code == 401
            assert gone.json()["error"]["message"] == "This API key was revoked"

        bad_include = api.get(DB, params={"include": "secrets"})
        assert_response_matches("GET", DB, bad_include)
        assert bad_include.status_code == 400, bad_include.text

        since = (datetime.now(UTC) - timedelta(minutes=10)).isoformat().replace("+00:00", "Z")
        trail = api.get(AUDIT, params={"key_id": key_id, "since": since})
        assert_response_matches("GET", AUDIT, trail)
        assert trail.status_code == 200, trail.text
        assert [(e["status_code"], e["result"]) for e in trail.json()["data"]] == [
            (403, "FORBIDDEN")
        ]
        for params in ({"since": "yesterday"}, {"until": "2025-01-15T10:30:00"}):
            bad_time = api.get(AUDIT, params=params)
            assert_response_matches("GET", AUDIT, bad_time)
            assert bad_time.status_code == 400, (params, bad_time.text)
    finally:
        api.delete(f"{PROJECTS}/{project['id']}")
    gone_project = api.delete(f"{PROJECTS}/{project['id']}")
    assert_response_matches("DELETE", PROJECT_ID, gone_project)
    assert gone_project.status_code == 404


def test_health_is_public_and_matches_the_spec(server: Server) -> None:
    with httpx.Client(base_url=server.base_url, timeout=30) as anonymous:
        response = anonymous.get("/health")
    assert_response_matches("GET", "/health", response)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "healthy"


def test_stats_and_logs_match_the_spec(api: httpx.Client) -> None:
    created = api.post(DB, json={**CREATE, "name": "contract-watched"})
    assert created.status_code == 201, created.text
    try:
        database = created.json()["data"]

        running = api.get(f"{DB}/contract-watched/stats")
        assert_response_matches("GET", STATS, running)
        assert running.status_code == 200, running.text
        stats = running.json()["data"]
        assert (stats["database_id"], stats["status"]) == (database["id"], "running")
        assert stats["container"] is not None and stats["engine"] is not None
        # The spec lets other engines report figures of their own; PostgreSQL's are documented.
        postgres_figures = pointer("components", "schemas", "PostgresEngineFigures")
        assert_valid(stats["engine"]["figures"], postgres_figures, "PostgreSQL engine figures")

        tail = api.get(f"{DB}/contract-watched/logs", params={"tail": 3})
        assert_response_matches("GET", LOGS, tail)
        assert tail.status_code == 200, tail.text
        lines = tail.json()["data"]["lines"]
        assert 1 <= len(lines) <= 3, lines

        since_last = api.get(
            f"{DB}/{database['id']}/logs", params={"since": lines[-1]["timestamp"], "tail": 10_000}
        )
        assert_response_matches("GET", LOGS, since_last)
        assert since_last.status_code == 200, since_last.text
        assert lines[-1] in since_last.json()["data"]["lines"]

        in_an_hour = datetime.now(UTC) + timedelta(hours=1)
        offset = in_an_hour.astimezone(timezone(timedelta(hours=2))).isoformat()
        nothing_yet = api.get(f"{DB}/contract-watched/logs", params={"since": offset})
        assert_response_matches("GET", LOGS, nothing_yet)
        assert nothing_yet.status_code == 200, nothing_yet.text
        assert nothing_yet.json()["data"]["lines"] == []

        for params in (
            {"tail": 0},
            {"tail": 10_001},
            {"tail": "many"},
            {"since": "yesterday"},
            {"since": "2025-01-15T10:30:00"},
        ):
            refused = api.get(f"{DB}/contract-watched/logs", params=params)
            assert_response_matches("GET", LOGS, refused)
            assert refused.status_code == 400, (params, refused.text)

        assert api.post(f"{DB}/contract-watched/stop").status_code == 200
        stopped = api.get(f"{DB}/contract-watched/stats")
        assert_response_matches("GET", STATS, stopped)
        assert stopped.status_code == 200, stopped.text
        data = stopped.json()["data"]
        assert (data["status"], data["container"], data["engine"]) == ("stopped", None, None)
        assert data["storage"]["figures"]["logical_bytes"] > 0

        stopped_logs = api.get(f"{DB}/contract-watched/logs")
        assert_response_matches("GET", LOGS, stopped_logs)
        assert stopped_logs.status_code == 200, stopped_logs.text
        assert stopped_logs.json()["data"]["lines"], "a stopped container keeps its logs"
    finally:
        api.delete(f"{DB}/contract-watched")
    assert api.get(DB).json()["pagination"]["total"] == 0


def test_rate_limited_answers_match_the_spec(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> None:
    """One database operation per hour: the second is refused before it reaches a handler, so
    unknown ids are enough and nothing is created."""
    limited = launch_server(None, tmp_root, {"STAGDB_RATE_LIMIT_DATABASE": "1"})
    try:
        with limited.client as api:
            first = api.post(f"{DB}/{UNKNOWN_ID}/stop")
            assert_response_matches("POST", f"{DB_ID}/stop", first)
            assert first.status_code == 404, first.text
            assert first.headers["X-RateLimit-Limit"] == "1", "the tightest budget is reported"
            assert first.headers["X-RateLimit-Remaining"] == "0"

            database_operations: list[tuple[str, str, dict[str, object] | None]] = [
                ("POST", f"{DB_ID}/stop", None),
                ("POST", DB, CREATE),
                ("PUT", DB_ID, {"description": "Backend for my app"}),
                ("DELETE", DB_ID, None),
                ("POST", f"{DB_ID}/start", None),
                ("POST", f"{DB_ID}/reset", None),
            ]
            for method, template, body in database_operations:
                if body is not None:
                    assert_request_body_matches(method, template, body)
                refused = api.request(
                    method,
                    with_unknown_id(template),
                    json=body,
                    headers={"X-Request-ID": "contract-429"},
                )
                what = f"{method} {template}: {refused.status_code} {refused.text[:300]}"
                assert_response_matches(method, template, refused)
                assert refused.status_code == 429, what
                assert refused.json()["error"]["code"] == "RATE_LIMITED", what
                assert "1 database operations per hour" in refused.json()["error"]["message"]
                assert refused.headers["X-RateLimit-Limit"] == "1", what
                assert refused.headers["X-RateLimit-Remaining"] == "0", what
                assert 0 < int(refused.headers["Retry-After"]) <= 3600, what
                assert refused.headers["X-Request-ID"] == "contract-429", what

            listed = api.get(DB)
            assert_response_matches("GET", DB, listed)
            assert listed.status_code == 200, "only the database operations budget is used up"
    finally:
        shut_down(limited, docker_client)
