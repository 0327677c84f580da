"""Projects and scoped keys, through HTTP as users meet them: a key sees and changes only its
own project's things (another project's are 404, exactly as if they did not exist), a call
outside its scope is 403 FORBIDDEN, keys expire and are revoked at once (open GraphQL
sessions included), quotas answer 507 naming the quota, and every change is audited."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import graphql
import httpx
import pytest
import websockets

from app.api.routes import ROUTES
from schema.export import SDL_PATH
from tests.conftest import Server, free_port, launch_server, shut_down
from tests.webhook_receiver import Receiver


@dataclass
class Tenant:
    project: dict
    keys: dict[str, str]  # scope → key
    key_ids: dict[str, str]
    database: dict | None = None
    snapshot: dict | None = None
    webhook: dict | None = None
    operation_id: str = ""


def call(server: Server, key: str, method: str, path: str, **kwargs: object) -> httpx.Response:
    return httpx.request(
        method,
        f"{server.base_url}{path}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=120,
        **kwargs,  # type: ignore[arg-type]
    )


def gql(server: Server, key: str, query: str, variables: dict | None = None) -> dict:
    response = httpx.post(
        server.base_url.replace("/v1", "/graphql"),
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {key}"},
        timeout=120,
    )
    return response.json()


def codes(result: dict) -> list[str]:
    return [error["extensions"]["code"] for error in result.get("errors", [])]


def make_tenant(server: Server, name: str, quotas: dict | None = None) -> Tenant:
    body: dict[str, object] = {"name": name}
    if quotas is not None:
        body["quotas"] = quotas
    made = call(server, server.key, "POST", "/projects", json=body)
    assert made.status_code == 201, made.text
    project = made.json()["data"]
    keys, key_ids = {}, {}
    for scope in ("read", "write", "admin"):
        created = call(
            server,
            server.key,
            "POST",
            "/keys",
            json={"name": f"{name}-{scope}", "scope": scope, "project_id": project["id"]},
        )
        assert created.status_code == 201, created.text
        keys[scope], key_ids[scope] = created.json()["data"]["key"], created.json()["data"]["id"]
    return Tenant(project, keys, key_ids)


@pytest.fixture(scope="module")
def tenants(server: Server) -> Iterator[tuple[Tenant, Tenant]]:
    a, b = make_tenant(server, "team-a"), make_tenant(server, "team-b")
    a_write = a.keys["write"]
    made = call(
        server, a_write, "POST", "/databases", json={"name": "app-db", "type": "postgresql"}
    )
    assert made.status_code == 201, made.text
    a.database = made.json()["data"]
    snap = call(server, a_write, "POST", "/databases/app-db/snapshots", json={"name": "seed"})
    assert snap.status_code == 201, snap.text
    a.snapshot = snap.json()["data"]
    hook = call(
        server,
        a_write,
        "POST",
        "/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["database.created"]},
    )
    assert hook.status_code == 201, hook.text
    a.webhook = hook.json()["data"]
    operations = call(server, a_write, "GET", "/operations", params={"database_id": "app-db"})
    assert operations.status_code == 200, operations.text
    a.operation_id = operations.json()["data"][0]["id"]
    try:
        yield a, b
    finally:
        for tenant in (a, b):
            key = tenant.keys["write"]
            for db in call(server, key, "GET", "/databases", params={"limit": 100}).json()["data"]:
                if db["parent_id"] is None:
                    call(server, key, "DELETE", f"/databases/{db['id']}?cascade=true")
            for hook in call(server, key, "GET", "/webhooks").json()["data"]:
                call(server, key, "DELETE", f"/webhooks/{hook['id']}")
            call(server, server.key, "DELETE", f"/projects/{tenant.project['id']}")


def concrete(path: str, tenant: Tenant) -> str:
    assert tenant.database and tenant.snapshot and tenant.webhook
    ids = {
        "/databases/": tenant.database["id"],
        "/snapshots/": tenant.snapshot["id"],
        "/webhooks/": tenant.webhook["id"],
        "/projects/": tenant.project["id"],
        "/keys/": tenant.key_ids["read"],
        "/operations/": tenant.operation_id,
    }
    if path.endswith("/schema-diff"):  # a database with no parent is compared with a snapshot
        path += f"?against={tenant.snapshot['id']}"
    if path == "/operations":  # listed per database
        path += f"?database_id={tenant.database['id']}"
    for prefix, value in ids.items():
        if path.startswith(prefix):
            return path.replace("{id}", value)
    return path


ADMIN_ONLY = ("/projects", "/keys", "/audit")
PUBLIC = ("/health", "/openapi.yaml", "/openapi.json")
PROJECT_SCOPED = ("/databases/{id}", "/snapshots/{id}", "/webhooks/{id}", "/operations")
# Requests valid in every way but whose resource belongs to another project.
VALID_BODIES: dict[tuple[str, str], dict] = {
    ("POST", "/databases"): {"name": "probe-db", "type": "postgresql", "version": "0"},
    ("PUT", "/databases/{id}"): {"description": "taken over"},
    ("POST", "/databases/{id}/snapshots"): {"name": "probe"},
    ("POST", "/databases/{id}/branches"): {"name": "probe-branch"},
    ("POST", "/snapshots/{id}/branches"): {"name": "probe-branch"},
    ("PUT", "/webhooks/{id}"): {"active": False},
    ("POST", "/webhooks"): {"url": "http://127.0.0.1:9/x", "events": ["*"]},
    ("POST", "/projects"): {"name": "probe-project"},
    ("PUT", "/projects/{id}"): {"name": "renamed"},
    ("POST", "/keys"): {"name": "probe-key"},
    ("POST", "/databases/{id}/refresh"): {},
}


def every_route() -> list[tuple[str, str]]:
    pairs = []
    for route in ROUTES:
        for method in sorted(route.methods - {"HEAD"}):  # type: ignore[attr-defined]
            pairs.append((method, route.path))  # type: ignore[attr-defined]
    return pairs


@pytest.mark.parametrize(("method", "path"), every_route())
def test_every_route_keeps_projects_apart_and_scopes_in_their_place(
    server: Server, tenants: tuple[Tenant, Tenant], method: str, path: str
) -> None:
    a, b = tenants
    if path in PUBLIC:
        assert call(server, b.keys["read"], method, path).status_code == 200
        return
    target = concrete(path, a)
    body = VALID_BODIES.get((method, path), {} if method in ("POST", "PUT") else None)
    admin_only = path.startswith(ADMIN_ONLY)
    reading = method == "GET"

    read = call(server, b.keys["read"], method, target, json=body)
    if admin_only or not reading:
        assert read.status_code == 403, (method, path, read.text)
        assert read.json()["error"]["code"] == "FORBIDDEN"
    elif path.startswith(PROJECT_SCOPED):
        assert read.status_code == 404, (method, path, read.text)
        assert read.json()["error"]["code"] == "NOT_FOUND"

    write = call(server, b.keys["write"], method, target, json=body)
    if admin_only:
        assert write.status_code == 403, (method, path, write.text)
    elif path.startswith(PROJECT_SCOPED):
        assert write.status_code == 404, (method, path, write.text)
        assert "not found" in write.json()["error"]["message"]
    if reading and not admin_only:
        own = call(server, a.keys["read"], method, target)
        assert own.status_code == 200, (method, path, own.text)


def test_another_projects_database_is_as_if_it_did_not_exist(
    server: Server, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    assert a.database
    b_list = call(server, b.keys["read"], "GET", "/databases").json()
    assert b_list["pagination"]["total"] == 0 and b_list["data"] == []
    by_name = call(server, b.keys["read"], "GET", "/databases/app-db")
    by_id = call(server, b.keys["read"], "GET", f"/databases/{a.database['id']}")
    missing = call(server, b.keys["read"], "GET", "/databases/no-such-db")
    assert by_name.status_code == by_id.status_code == missing.status_code == 404
    # A name says nothing about other projects: team-b may use it too.
    assert (
        call(
            server, b.keys["write"], "POST", "/databases/app-db/snapshots", json={"name": "x"}
        ).status_code
        == 404
    )
    assert (
        call(
            server,
            b.keys["write"],
            "POST",
            f"/snapshots/{a.snapshot['id']}/branches",
            json={"name": "steal"},
        ).status_code
        == 404
    )


def test_admin_keys_see_every_project_and_names_repeat_across_projects(
    server: Server, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    twin = call(
        server, b.keys["write"], "POST", "/databases", json={"name": "app-db", "type": "postgresql"}
    )
    assert twin.status_code == 201, twin.text
    try:
        admin_list = call(server, server.key, "GET", "/databases", params={"limit": 100}).json()
        ids = {d["id"] for d in admin_list["data"]}
        assert {a.database["id"], twin.json()["data"]["id"]} <= ids
        ambiguous = call(server, server.key, "GET", "/databases/app-db")
        assert ambiguous.status_code == 400
        assert "use its id" in ambiguous.json()["error"]["message"]
        assert (
            call(server, b.keys["read"], "GET", "/databases/app-db").json()["data"]["id"]
            == (twin.json()["data"]["id"])
        )
    finally:
        call(server, b.keys["write"], "DELETE", f"/databases/{twin.json()['data']['id']}")


def test_read_keys_never_see_passwords_and_lists_only_on_request(
    server: Server, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    single = call(server, a.keys["read"], "GET", "/databases/app-db").json()["data"]
    assert single["connection"] is None and single["port"] == a.database["port"]
    listed = call(server, a.keys["write"], "GET", "/databases").json()["data"]
    assert [d["connection"] for d in listed] == [None]
    asked = call(server, a.keys["write"], "GET", "/databases?include=credentials").json()["data"]
    assert asked[0]["connection"]["password"] == a.database["connection"]["password"]
    own = call(server, a.keys["write"], "GET", "/databases/app-db").json()["data"]
    assert own["connection"]["uri"] == a.database["connection"]["uri"]
    bad = call(server, a.keys["write"], "GET", "/databases?include=secrets")
    assert bad.status_code == 400


def test_graphql_keeps_projects_apart_and_mutations_need_write(
    server: Server, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    query = "query($id: ID!) { database(id: $id) { id name connection { password } } }"
    theirs = gql(server, b.keys["write"], query, {"id": a.database["id"]})
    assert codes(theirs) == ["NOT_FOUND"]
    listing = gql(server, b.keys["write"], "{ databases { pageInfo { total } items { id } } }")
    assert listing["data"]["databases"]["pageInfo"]["total"] == 0
    snapshot = gql(
        server,
        b.keys["write"],
        "query($id: ID!) { snapshot(id: $id) { id } }",
        {"id": a.snapshot["id"]},
    )
    assert codes(snapshot) == ["NOT_FOUND"]
    own_read = gql(server, a.keys["read"], query, {"id": a.database["id"]})
    assert own_read["data"]["database"]["connection"] is None
    own_write = gql(server, a.keys["write"], query, {"id": a.database["id"]})
    assert own_write["data"]["database"]["connection"]["password"]
    stop = gql(
        server,
        a.keys["read"],
        "mutation($id: ID!) { stopDatabase(id: $id) { status } }",
        {"id": a.database["id"]},
    )
    assert codes(stop) == ["FORBIDDEN"]
    steal = gql(
        server,
        b.keys["write"],
        "mutation($id: ID!) { stopDatabase(id: $id) { status } }",
        {"id": a.database["id"]},
    )
    assert codes(steal) == ["NOT_FOUND"]
    status = call(server, a.keys["read"], "GET", "/databases/app-db").json()["data"]["status"]
    assert status == "running"


async def _subscribe(server: Server, key: str, database: str) -> websockets.ClientConnection:
    url = server.base_url.replace("http://", "ws://").replace("/v1", "/graphql")
    ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"])
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
    )
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    query = "subscription($id: ID!) { databaseEvents(id: $id) { event } }"
    await ws.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": query, "variables": {"id": database}},
            }
        )
    )
    return ws


def test_subscriptions_keep_projects_apart(server: Server, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants

    async def scenario() -> dict:
        ws = await _subscribe(server, b.keys["read"], a.database["id"])
        try:
            return json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
        finally:
            await ws.close()

    message = asyncio.run(scenario())
    assert message["type"] == "next" and message["payload"]["data"] is None, message
    assert codes(message["payload"]) == ["NOT_FOUND"]


def test_revoking_a_key_ends_its_open_subscription_and_its_next_request(
    server: Server, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    made = call(
        server,
        server.key,
        "POST",
        "/keys",
        json={"name": "short-lived", "scope": "read", "project_id": a.project["id"]},
    )
    key, key_id = made.json()["data"]["key"], made.json()["data"]["id"]
    assert made.json()["data"]["prefix"] == key[:10]

    async def scenario() -> tuple[int | None, float]:
        ws = await _subscribe(server, key, a.database["id"])
        await asyncio.sleep(0.5)
        revoked = await asyncio.to_thread(call, server, server.key, "DELETE", f"/keys/{key_id}")
        assert revoked.status_code == 200 and revoked.json()["data"]["revoked_at"]
        started = time.monotonic()
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(ws.recv(), timeout=30)
        return ws.close_code, time.monotonic() - started

    close_code, _ = asyncio.run(scenario())
    assert close_code == 4403
    refused = call(server, key, "GET", "/databases")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "This API key was revoked"


def test_keys_expire_record_their_last_use_and_are_listed_without_secrets(
    server: Server, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    made = call(
        server, server.key, "POST", "/keys", json={"name": "ci-run", "scope": "read", "ttl": "2s"}
    )
    assert made.status_code == 201, made.text
    key = made.json()["data"]["key"]
    assert call(server, key, "GET", "/databases").status_code == 200
    time.sleep(2.5)
    expired = call(server, key, "GET", "/databases")
    assert expired.status_code == 401
    assert expired.json()["error"]["message"] == "This API key has expired"

    listed = call(server, server.key, "GET", "/keys", params={"project_id": a.project["id"]}).json()
    by_name = {k["name"]: k for k in listed["data"]}
    assert by_name["team-a-write"]["last_used_at"] is not None
    assert by_name["team-a-write"]["scope"] == "write"
    assert all("key" not in k and "key_hash" not in k for k in listed["data"])
    for bad in (
        {"name": "x", "scope": "root"},
        {"name": "x", "ttl": "soon"},
        {"name": "x", "expires_at": "2000-01-01T00:00:00Z"},
        {"scope": "read"},
    ):
        assert call(server, server.key, "POST", "/keys", json=bad).status_code == 400, bad
    unknown_project = call(
        server, server.key, "POST", "/keys", json={"name": "x", "project_id": "prj-000000000000"}
    )
    assert unknown_project.status_code == 404


def measured_usage(server: Server, project_id: str, at_least: int, timeout_s: float = 60) -> dict:
    """The project's usage once its measured disk bytes reach `at_least`."""
    deadline = time.monotonic() + timeout_s
    while True:
        usage: dict = call(server, server.key, "GET", f"/projects/{project_id}").json()["data"][
            "usage"
        ]
        if usage["disk_bytes"] >= at_least or time.monotonic() > deadline:
            assert usage["disk_bytes"] >= at_least, usage
            return usage
        time.sleep(0.5)


def test_project_quotas_answer_507_naming_the_quota(server: Server) -> None:
    tenant = make_tenant(server, "quota-team", {"databases": 1, "memory": "200m", "disk": "1m"})
    key = tenant.keys["write"]
    try:
        no_limit = call(
            server, key, "POST", "/databases", json={"name": "q1", "type": "postgresql"}
        )
        assert no_limit.status_code == 400 and "memory quota" in no_limit.json()["error"]["message"]
        first = call(
            server,
            key,
            "POST",
            "/databases",
            json={"name": "q1", "type": "postgresql", "resources": {"memory": "128m"}},
        )
        assert first.status_code == 201, first.text
        second = call(
            server,
            key,
            "POST",
            "/databases",
            json={"name": "q2", "type": "postgresql", "resources": {"memory": "64m"}},
        )
        assert second.status_code == 507
        assert second.json()["error"]["code"] == "INSUFFICIENT_RESOURCES"
        assert "databases quota: 1 of 1" in second.json()["error"]["message"]

        raised = call(
            server,
            server.key,
            "PUT",
            f"/projects/{tenant.project['id']}",
            json={"quotas": {"databases": 5}},
        )
        assert raised.json()["data"]["quotas"] == {"databases": 5, "memory": "200m", "disk": "1m"}
        memory = call(
            server,
            key,
            "POST",
            "/databases",
            json={"name": "q2", "type": "postgresql", "resources": {"memory": "128m"}},
        )
        assert memory.status_code == 507
        assert "memory quota: 128m in use + 128m asked > 200m" in memory.json()["error"]["message"]

        # Disk usage is measured in the background: q1 counts once it has been measured.
        usage = measured_usage(server, tenant.project["id"], at_least=1024**2)
        assert usage["databases"] == 1
        disk = call(server, key, "POST", "/databases/q1/snapshots", json={"name": "s"})
        assert disk.status_code == 507 and "disk quota" in disk.json()["error"]["message"]
        busy = call(server, server.key, "DELETE", f"/projects/{tenant.project['id']}")
        assert busy.status_code == 409
        default = call(server, server.key, "DELETE", "/projects/prj-default00000")
        assert default.status_code == 400 and "cannot be deleted" in default.text
    finally:
        call(server, key, "DELETE", "/databases/q1")
        call(server, server.key, "DELETE", f"/projects/{tenant.project['id']}")


def test_every_change_is_audited_and_only_admins_read_the_trail(
    server: Server, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    refused = call(server, b.keys["read"], "POST", "/databases", json={})
    request_id = refused.headers["X-Request-ID"]
    trail = call(
        server,
        server.key,
        "GET",
        "/audit",
        params={"project_id": b.project["id"], "result": "FORBIDDEN"},
    ).json()
    entry = next(e for e in trail["data"] if e["request_id"] == request_id)
    assert entry["key_id"] == b.key_ids["read"] and entry["action"] == "POST /v1/databases"
    assert entry["status_code"] == 403

    created = call(
        server,
        server.key,
        "GET",
        "/audit",
        params={"project_id": a.project["id"], "target": a.database["id"]},
    ).json()
    actions = {(e["action"], e["result"]) for e in created["data"]}
    assert ("POST /v1/databases", "ok") in actions
    assert call(server, a.keys["write"], "GET", "/audit").status_code == 403
    assert call(server, server.key, "GET", "/audit?since=yesterday").status_code == 400


def test_metrics_need_an_admin_key(server: Server, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    metrics_url = server.base_url.replace("/v1", "/metrics")
    assert httpx.get(metrics_url).status_code == 401
    write = httpx.get(metrics_url, headers={"Authorization": f"Bearer {a.keys['write']}"})
    assert write.status_code == 403
    admin = httpx.get(metrics_url, headers={"Authorization": f"Bearer {a.keys['admin']}"})
    assert admin.status_code == 200 and "stagdb_" in admin.text


def test_cli_lists_creates_and_revokes_keys(server: Server) -> None:
    created = server.cli("keys", "create", "--name", "from-cli", "--scope", "read")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert call(server, key, "GET", "/databases").status_code == 200
    listing = server.cli("keys", "list")
    assert listing.returncode == 0, listing.stderr
    line = next(line for line in listing.stdout.splitlines() if " from-cli " in line)
    assert key not in listing.stdout and "read" in line and "active" in line
    revoked = server.cli("keys", "revoke", line.split()[0])
    assert revoked.returncode == 0, revoked.stderr
    assert call(server, key, "GET", "/databases").status_code == 401
    assert server.cli("keys", "revoke", "key-nosuchkey000").returncode == 1


def test_metrics_can_listen_on_their_own_address_without_a_key(
    tmp_root: Path, docker_client: docker.DockerClient
) -> None:
    port = free_port()
    server = launch_server(
        None, tmp_root, extra_env={"STAGDB_METRICS_ADDRESS": f"127.0.0.1:{port}"}
    )
    try:
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30)
        assert scraped.status_code == 200 and "stagdb_pool_free_bytes" in scraped.text
        assert httpx.get(f"http://127.0.0.1:{port}/v1/databases").status_code == 404
        assert httpx.get(server.base_url.replace("/v1", "/metrics")).status_code == 401
    finally:
        shut_down(server, docker_client)  # SIGTERM stops both listeners
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)


def test_webhooks_hear_only_their_own_projects_events(
    server: Server, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    ours, theirs = Receiver().start(), Receiver().start()
    hooks = []
    try:
        for tenant, receiver in ((a, ours), (b, theirs)):
            made = call(
                server,
                tenant.keys["write"],
                "POST",
                "/webhooks",
                json={"url": receiver.url, "events": ["database.stopped"]},
            )
            assert made.status_code == 201, made.text
            receiver.secret = made.json()["data"]["secret"]
            hooks.append((tenant, made.json()["data"]["id"]))
        assert call(server, a.keys["write"], "POST", "/databases/app-db/stop").status_code == 200
        heard = ours.wait_for(1)
        assert heard[0].event == "database.stopped" and heard[0].signature_valid
        assert heard[0].payload["data"]["database_id"] == a.database["id"]
        time.sleep(2)  # the other project's receiver would have heard it by now
        assert theirs.received == []
        b_hook = hooks[1][1]
        assert (
            call(server, b.keys["read"], "GET", f"/webhooks/{b_hook}/deliveries").json()["data"]
            == []
        )
    finally:
        call(server, a.keys["write"], "POST", "/databases/app-db/start")
        for tenant, hook_id in hooks:
            call(server, tenant.keys["write"], "DELETE", f"/webhooks/{hook_id}")
        ours.stop()
        theirs.stop()


def test_graphql_administers_projects_keys_and_the_trail_for_admins_only(
    server: Server, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    made = gql(
        server,
        server.key,
        'mutation { createProject(name: "gql-team", '
        'quotas: {databases: 3, memory: "1g"}) { id name quotas { databases memory disk } } }',
    )
    project = made["data"]["createProject"]
    assert project["quotas"] == {"databases": 3, "memory": "1g", "disk": None}
    refused = gql(server, a.keys["write"], 'mutation { createProject(name: "nope") { id } }')
    assert codes(refused) == ["FORBIDDEN"]
    listing = gql(server, a.keys["write"], "{ projects { pageInfo { total } } }")
    assert codes(listing) == ["FORBIDDEN"]

    key = gql(
        server,
        server.key,
        'mutation($p: ID!) { createApiKey(name: "gql-ci", '
        'scope: "read", projectId: $p, ttl: "1h") { key apiKey { id scope expiresAt } } }',
        {"p": project["id"]},
    )["data"]["createApiKey"]
    assert key["apiKey"]["scope"] == "read" and key["apiKey"]["expiresAt"]
    assert call(server, key["key"], "GET", "/databases").json()["data"] == []
    listed = gql(
        server,
        server.key,
        "query($p: ID!) { apiKeys(projectId: $p) { items { id } } }",
        {"p": project["id"]},
    )["data"]["apiKeys"]["items"]
    assert listed == [{"id": key["apiKey"]["id"]}]
    revoked = gql(
        server,
        server.key,
        "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }",
        {"id": key["apiKey"]["id"]},
    )
    assert revoked["data"]["revokeApiKey"]["revokedAt"]
    assert call(server, key["key"], "GET", "/databases").status_code == 401

    trail = gql(
        server,
        server.key,
        "query($p: ID!) { auditEntries(projectId: $p) { items { action result } } }",
        {"p": "prj-default00000"},
    )
    actions = {e["action"] for e in trail["data"]["auditEntries"]["items"]}
    assert "graphql createProject" in actions and "graphql revokeApiKey" in actions
    gone = gql(
        server, server.key, "mutation($id: ID!) { deleteProject(id: $id) }", {"id": project["id"]}
    )
    assert gone["data"]["deleteProject"] is True


def _root_fields(kind: str) -> set[str]:
    sdl = graphql.build_schema(SDL_PATH.read_text())
    root = sdl.query_type if kind == "query" else sdl.mutation_type
    assert root is not None
    return set(root.fields)


# Every root field, called with team-a's ids: (document, variables from a tenant).
GRAPHQL_READS: dict[str, str] = {
    "databases": "{ databases { items { id } } }",
    "database": "query($db: ID!) { database(id: $db) { id } }",
    "snapshots": "query($db: ID!) { snapshots(databaseId: $db) { items { id } } }",
    "snapshot": "query($snap: ID!) { snapshot(id: $snap) { id } }",
    "branches": "query($db: ID!) { branches(databaseId: $db) { items { id } } }",
    "schemaDiff": "query($db: ID!) { schemaDiff(databaseId: $db) { identical } }",
    "health": "{ health { status } }",
    "operation": "query($op: ID!) { operation(id: $op) { id } }",
    "operations": "query($db: ID!) { operations(databaseId: $db) { items { id } } }",
    "projects": "{ projects { items { id } } }",
    "apiKeys": "{ apiKeys { items { id } } }",
    "auditEntries": "{ auditEntries { items { id } } }",
}
GRAPHQL_CHANGES: dict[str, str] = {
    "createDatabase": 'mutation { createDatabase(input: {name: "x", type: "postgresql"}) { id } }',
    "updateDatabase": 'mutation($db: ID!) { updateDatabase(id: $db, input: {description: "x"}) '
    "{ id } }",
    "deleteDatabase": "mutation($db: ID!) { deleteDatabase(id: $db) }",
    "startDatabase": "mutation($db: ID!) { startDatabase(id: $db) { id } }",
    "stopDatabase": "mutation($db: ID!) { stopDatabase(id: $db) { id } }",
    "resetDatabase": "mutation($db: ID!, $snap: ID!) { resetDatabase(id: $db, snapshotId: $snap) "
    "{ id } }",
    "promoteBranch": "mutation($db: ID!) { promoteBranch(id: $db) { id } }",
    "createSnapshot": 'mutation($db: ID!) { createSnapshot(databaseId: $db, input: {name: "x"}) '
    "{ id } }",
    "deleteSnapshot": "mutation($snap: ID!) { deleteSnapshot(id: $snap) }",
    "createBranch": 'mutation($db: ID!) { createBranch(databaseId: $db, input: {name: "x"}) '
    "{ id } }",
    "createBranchFromSnapshot": "mutation($snap: ID!) { createBranchFromSnapshot("
    'snapshotId: $snap, input: {name: "x"}) { id } }',
    "createDatabaseAsync": 'mutation { createDatabaseAsync(input: {name: "x", type: "postgresql", '
    'version: "0"}) { id } }',
    "refreshDatabase": "mutation($db: ID!) { refreshDatabase(id: $db) { id } }",
    "refreshDatabaseAsync": "mutation($db: ID!) { refreshDatabaseAsync(id: $db) { id } }",
    "createBranchAsync": "mutation($db: ID!) { createBranchAsync(databaseId: $db, input: "
    '{name: "x"}) { id } }',
    "resetDatabaseAsync": "mutation($db: ID!, $snap: ID!) { resetDatabaseAsync(id: $db, "
    "snapshotId: $snap) { id } }",
    "deleteDatabaseAsync": "mutation($db: ID!) { deleteDatabaseAsync(id: $db) { id } }",
    "createProject": 'mutation { createProject(name: "x") { id } }',
    "updateProject": 'mutation($prj: ID!) { updateProject(id: $prj, name: "x") { id } }',
    "deleteProject": "mutation($prj: ID!) { deleteProject(id: $prj) }",
    "createApiKey": 'mutation { createApiKey(name: "x") { key } }',
    "revokeApiKey": "mutation($key: ID!) { revokeApiKey(id: $key) { id } }",
}
GRAPHQL_ADMIN = {"projects", "apiKeys", "auditEntries", "createProject", "updateProject",
                 "deleteProject", "createApiKey", "revokeApiKey"}  # fmt: skip


def test_the_graphql_table_names_every_root_field() -> None:
    assert set(GRAPHQL_READS) == _root_fields("query")
    assert set(GRAPHQL_CHANGES) == _root_fields("mutation")


@pytest.mark.parametrize("field", sorted(GRAPHQL_READS) + sorted(GRAPHQL_CHANGES))
def test_every_graphql_field_keeps_projects_apart_and_scopes_in_their_place(
    server: Server, tenants: tuple[Tenant, Tenant], field: str
) -> None:
    a, b = tenants
    document = GRAPHQL_READS.get(field) or GRAPHQL_CHANGES[field]
    names = {"db": a.database["id"], "snap": a.snapshot["id"], "prj": a.project["id"],
             "key": a.key_ids["read"], "op": a.operation_id}  # fmt: skip
    variables = {name: value for name, value in names.items() if f"${name}" in document}
    changing = field in GRAPHQL_CHANGES

    read = gql(server, b.keys["read"], document, variables)
    write = gql(server, b.keys["write"], document, variables)
    if field in GRAPHQL_ADMIN:
        assert codes(read) == codes(write) == ["FORBIDDEN"], (read, write)
        return
    if changing:
        assert codes(read) == ["FORBIDDEN"], read
    if "$db" in document or "$snap" in document or "$op" in document:
        expected = [] if field in ("health",) else ["NOT_FOUND"]
        assert codes(write) == expected, write
        if not changing:
            assert codes(read) == ["NOT_FOUND"], read
    elif field == "databases":
        assert read["data"]["databases"]["items"] == []
    elif field == "createDatabaseAsync":  # an unknown version: refused before it starts
        assert codes(read) == ["FORBIDDEN"] and codes(write) == ["VALIDATION_ERROR"], write
    elif field == "createDatabase":
        made = write["data"]["createDatabase"]["id"]
        assert call(server, b.keys["write"], "DELETE", f"/databases/{made}").status_code == 200
    else:
        assert codes(read) == [] and codes(write) == [], (read, write)
    assert call(server, a.keys["read"], "GET", "/databases/app-db").status_code == 200
