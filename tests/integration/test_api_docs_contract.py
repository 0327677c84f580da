"""The documented API page (the contract, word for word) against a real server: every example
on it runs as written, with only the base URL and the API key changed, and every field name
it gives is in the answers (envelope, error envelope, pagination, webhook body, event
payload). The page's curl commands are kept here verbatim and run through a small curl
reader, so a change to them is a change to this file."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from pathlib import Path

import docker
import httpx
import pytest
import yaml

from app.config import Settings
from tests.conftest import Server, launch_server, quiet_port_range, shut_down
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.docker

DOCS_BASE = "https://api.stagdb.com/v1"
DOCS_KEY = "your-api-key"

# "Authentication"
AUTHENTICATION = """curl -H "Authorization: Bearer your-api-key" \\
https://api.stagdb.com/v1/databases"""

# "Example Workflows: Create and Manage Database"
CREATE_DATABASE = """curl -X POST https://api.stagdb.com/v1/databases \\
-H "Authorization: Bearer your-api-key" \\
-H "Content-Type: application/json" \\
-d '{
"name": "my-app-db",
"type": "postgresql",
"version": "15"
}'"""
GET_DATABASE = """curl -H "Authorization: Bearer your-api-key" \\
https://api.stagdb.com/v1/databases/my-app-db"""
CREATE_SNAPSHOT = """curl -X POST https://api.stagdb.com/v1/databases/my-app-db/snapshots \\
-H "Authorization: Bearer your-api-key" \\
-H "Content-Type: application/json" \\
-d '{"name": "backup-snapshot"}'"""

# "Pagination"
PAGINATION = """curl "https://api.stagdb.com/v1/databases?page=1&limit=50" \\
-H "Authorization: Bearer your-api-key\""""

# "Webhooks": the subscription body, as the page gives it
WEBHOOK_BODY = """{
"url": "https://your-app.com/webhooks/stagdb",
"events": ["database.created", "database.deleted", "snapshot.created"],
"secret": "webhook-secret"
}"""


def curl(command: str, base_url: str, key: str) -> httpx.Response:
    """Run a curl command line from the page against `base_url` with `key`."""
    command = command.replace("\\\n", " ")  # a backslash-newline continues the line
    argv = shlex.split(command.replace(DOCS_BASE, base_url).replace(DOCS_KEY, key))
    assert argv[0] == "curl"
    method, headers, data, url = "GET", {}, None, None
    words = iter(argv[1:])
    for word in words:
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, _, value = next(words).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            data = next(words)
            method = "POST" if method == "GET" else method
        else:
            url = word
    assert url is not None, command
    return httpx.request(method, url, headers=headers, content=data, timeout=120)


def assert_envelope(response: httpx.Response, status: int) -> dict[str, object]:
    """The page's "Response Format": {"success": true, "data": ..., "message": "..."}."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True
    assert "data" in body
    assert isinstance(body["message"], str) and body["message"]
    return body


def assert_error(response: httpx.Response, status: int, code: str) -> str:
    """The page's error response: {"success": false, "error": {"code", "message"}}."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return str(body["error"]["message"])


def test_webhook_example_is_accepted_as_written(server: Server) -> None:
    """First in this module, on a server where nothing has happened yet: the page's URL is
    not ours, so the webhook is removed again before any event could be sent to it."""
    with server.client as api:
        response = api.post(
            "/webhooks", content=WEBHOOK_BODY, headers={"Content-Type": "application/json"}
        )
        try:
            created = assert_envelope(response, 201)["data"]
            assert isinstance(created, dict)
            assert created["url"] == "https://your-app.com/webhooks/stagdb"
            assert created["events"] == ["database.created", "database.deleted", "snapshot.created"]
            assert created["secret"] == "webhook-secret"
        finally:
            for hook in api.get("/webhooks").json()["data"]:
                api.delete(f"/webhooks/{hook['id']}")
        assert api.get("/webhooks").json()["data"] == []


def test_the_page_workflow_runs_as_written(server: Server) -> None:
    receiver = Receiver().start()
    with server.client as api:
        hook = api.post("/webhooks", json={"url": receiver.url, "events": ["database.created"]})
        receiver.secret = hook.json()["data"]["secret"]
    try:
        listed = assert_envelope(curl(AUTHENTICATION, server.base_url, server.key), 200)
        assert listed["data"] == []

        created = assert_envelope(curl(CREATE_DATABASE, server.base_url, server.key), 201)
        database = created["data"]
        assert isinstance(database, dict)
        assert (database["name"], database["type"], database["version"]) == (
            "my-app-db",
            "postgresql",
            "15",
        )
        got = assert_envelope(curl(GET_DATABASE, server.base_url, server.key), 200)
        assert got["data"]["id"] == database["id"]  # type: ignore[index]

        snapshot = assert_envelope(curl(CREATE_SNAPSHOT, server.base_url, server.key), 201)
        assert snapshot["data"]["name"] == "backup-snapshot"  # type: ignore[index]

        # The event payload's documented fields, from a real, signed delivery.
        [delivery] = receiver.wait_for(1)
        assert delivery.signature_valid
        payload = delivery.payload
        assert {"event", "timestamp", "data"} <= set(payload)
        assert payload["event"] == "database.created"
        assert payload["timestamp"].endswith("Z")
        assert payload["data"]["database_id"] == database["id"]
        assert payload["data"]["name"] == "my-app-db"
        assert payload["data"]["type"] == "postgresql"
    finally:
        receiver.stop()


def test_pagination_example_and_metadata(server: Server) -> None:
    with server.client as api:
        for n in range(2):
            assert api.post(
                "/databases", json={"name": f"page-{n}", "type": "postgresql"}
            ).is_success
    page = curl(PAGINATION, server.base_url, server.key)
    body = assert_envelope(page, 200)
    total = len(body["data"])  # type: ignore[arg-type]
    assert body["pagination"] == {"page": 1, "limit": 50, "total": total, "pages": 1}
    with server.client as api:
        second = api.get("/databases", params={"page": 2, "limit": 1}).json()
    assert set(second["pagination"]) == {"page", "limit", "total", "pages"}
    assert second["pagination"] == {"page": 2, "limit": 1, "total": total, "pages": total}


def test_every_listed_endpoint_answers(server: Server) -> None:
    """The page's "Endpoints Overview", each with a real resource."""
    with server.client as api:
        made = assert_envelope(
            api.post("/databases", json={"name": "overview", "type": "postgresql"}), 201
        )["data"]
        db = made["id"]  # type: ignore[index]
        assert_envelope(api.get("/databases"), 200)
        assert_envelope(api.get(f"/databases/{db}"), 200)
        assert_envelope(api.put(f"/databases/{db}", json={"description": "x"}), 200)
        assert_envelope(api.post(f"/databases/{db}/stop"), 200)
        assert_envelope(api.post(f"/databases/{db}/start"), 200)
        assert_envelope(api.get(f"/databases/{db}/snapshots"), 200)
        snap = assert_envelope(api.post(f"/databases/{db}/snapshots", json={"name": "s"}), 201)
        snap_id = snap["data"]["id"]  # type: ignore[index]
        assert_envelope(api.get(f"/snapshots/{snap_id}"), 200)
        assert_envelope(api.get(f"/databases/{db}/branches"), 200)
        branch = assert_envelope(api.post(f"/databases/{db}/branches", json={"name": "b1"}), 201)
        from_snap = assert_envelope(
            api.post(f"/snapshots/{snap_id}/branches", json={"name": "b2"}), 201
        )
        assert_envelope(api.get(f"/databases/{db}/stats"), 200)
        assert_envelope(api.get(f"/databases/{db}/logs"), 200)
        assert_envelope(api.delete(f"/databases/{branch['data']['id']}"), 200)  # type: ignore[index]
        assert_envelope(api.delete(f"/databases/{from_snap['data']['id']}"), 200)  # type: ignore[index]
        assert_envelope(api.delete(f"/snapshots/{snap_id}"), 200)
        assert_envelope(api.delete(f"/databases/{db}"), 200)
    assert_envelope(httpx.get(f"{server.base_url}/health"), 200)


def test_documented_error_codes(server: Server) -> None:
    with server.client as api:
        message = assert_error(
            api.post("/databases", json={"name": "x", "type": "oracle"}), 400, "VALIDATION_ERROR"
        )
        assert "type" in message
        assert_error(api.get("/databases/no-such-db"), 404, "NOT_FOUND")
        parent = api.post("/databases", json={"name": "busy-parent", "type": "postgresql"})
        assert parent.status_code == 201
        assert api.post("/databases/busy-parent/branches", json={"name": "busy-b"}).is_success
        assert_error(api.delete("/databases/busy-parent"), 409, "RESOURCE_BUSY")
        assert api.delete("/databases/busy-parent", params={"cascade": "true"}).is_success
    unauthorized = httpx.get(
        f"{server.base_url}/databases", headers={"Authorization": "Bearer wrong"}
    )
    assert_error(unauthorized, 401, "UNAUTHORIZED")
    assert_error(httpx.get(f"{server.base_url}/databases"), 401, "UNAUTHORIZED")


@pytest.fixture(scope="module")
def tight_server(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> Iterator[Server]:
    """One database port and a small request budget: for the last two documented codes."""
    limits = {"STAGDB_PORT_RANGE": quiet_port_range(1), "STAGDB_RATE_LIMIT_GENERAL": "6"}
    running = launch_server(None, tmp_root, limits)
    yield running
    shut_down(running, docker_client)


def test_insufficient_resources_and_rate_limited(tight_server: Server) -> None:
    with tight_server.client as api:
        made = api.post("/databases", json={"name": "only-one", "type": "postgresql"})
        assert made.is_success, made.text + tight_server.log_path.read_text()[-4000:]
        full = api.post("/databases", json={"name": "one-too-many", "type": "postgresql"})
        assert_error(full, 507, "INSUFFICIENT_RESOURCES")
        answers = [api.get("/databases") for _ in range(6)]
        limited = answers[-1]
        assert_error(limited, 429, "RATE_LIMITED")
        assert int(limited.headers["Retry-After"]) >= 1


def test_openapi_specification_is_available(server: Server) -> None:
    as_yaml = httpx.get(f"{server.base_url}/openapi.yaml")
    assert as_yaml.status_code == 200
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    spec = yaml.safe_load(as_yaml.content)
    assert spec["openapi"] == "3.1.0"
    as_json = httpx.get(f"{server.base_url}/openapi.json")
    assert as_json.status_code == 200 and json.loads(as_json.content) == spec
    assert "/databases" in spec["paths"]
    docs = httpx.get(server.base_url.removesuffix("/v1") + "/docs")
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text


def test_rate_limits_default_to_the_page_s_numbers() -> None:
    """ "General API: 1000 requests per hour; Database Operations: 100 operations per hour;
    Snapshot/Branch Operations: 50 operations per hour" (the tests' servers raise them)."""
    assert Settings.from_env({}).rate_limits == {"general": 1000, "database": 100, "branching": 50}
