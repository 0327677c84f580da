"""The GraphQL API over HTTP and WebSocket, and its parity with REST."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from schema.export import SDL_PATH, sdl
from tests.conftest import Server

DATABASE_FIELDS = "id name type version status parentId snapshotId connection { uri port }"


def gql(server: Server, query: str, variables: dict | None = None, key: str | None = None) -> dict:
    response = httpx.post(
        server.base_url.replace("/v1", "/graphql"),
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {key or server.key}"},
        timeout=120,
    )
    assert response.status_code in (200, 401), response.text
    return response.json()


def error_codes(result: dict) -> list[str]:
    return [error["extensions"]["code"] for error in result.get("errors", [])]


def test_sdl_file_matches_the_code() -> None:
    assert SDL_PATH.read_text() == sdl(), "run `python -m schema.export` and commit the result"


def test_graphql_needs_the_same_api_key(server: Server) -> None:
    result = gql(server, "{ databases { pageInfo { total } } }", key="wrong")
    assert error_codes(result) == ["UNAUTHORIZED"]
    anonymous = httpx.post(
        server.base_url.replace("/v1", "/graphql"), json={"query": "{ health { status } }"}
    )
    assert anonymous.status_code == 401


def test_create_branch_snapshot_delete_through_graphql_seen_by_rest(
    server: Server, api: httpx.Client
) -> None:
    created = gql(
        server,
        f"""mutation {{ createDatabase(input: {{name: "gql-main", type: "postgresql",
              version: "15", resources: {{memory: "512m"}}}}) {{ {DATABASE_FIELDS} }} }}""",
    )["data"]["createDatabase"]
    rest = api.get("/databases/gql-main").json()["data"]
    assert rest["id"] == created["id"] and rest["status"] == created["status"] == "running"
    assert rest["resources"] == {"memory": "512m", "cpus": None, "settings": {}}
    assert rest["connection"]["uri"] == created["connection"]["uri"]

    snapshot = gql(
        server,
        'mutation($id: ID!) { createSnapshot(databaseId: $id, input: {name: "s1"}) { id name } }',
        {"id": created["id"]},
    )["data"]["createSnapshot"]
    assert api.get(f"/snapshots/{snapshot['id']}").json()["data"]["name"] == "s1"

    branch = gql(
        server,
        f"""mutation($s: ID!) {{ createBranchFromSnapshot(snapshotId: $s, input: {{name: "gql-b"}})
              {{ {DATABASE_FIELDS} parent {{ name }} }} }}""",
        {"s": snapshot["id"]},
    )["data"]["createBranchFromSnapshot"]
    assert branch["parent"]["name"] == "gql-main" and branch["snapshotId"] == snapshot["id"]
    assert [b["name"] for b in api.get("/databases/gql-main/branches").json()["data"]] == ["gql-b"]

    tree = gql(
        server,
        """{ database(name: "gql-main") {
              name branches { name } snapshots { name branches { name } } } }""",
    )["data"]["database"]
    assert tree == {
        "name": "gql-main",
        "branches": [{"name": "gql-b"}],
        "snapshots": [{"name": "s1", "branches": [{"name": "gql-b"}]}],
    }

    updated = gql(
        server,
        'mutation { updateDatabase(id: "gql-b", input: {description: "via graphql"}) { id } }',
    )
    assert "errors" not in updated
    assert api.get("/databases/gql-b").json()["data"]["description"] == "via graphql"
    stopped = gql(server, 'mutation { stopDatabase(id: "gql-b") { status } }')
    assert stopped["data"]["stopDatabase"]["status"] == "stopped"
    assert api.get("/databases/gql-b").json()["data"]["status"] == "stopped"

    busy = gql(server, 'mutation { deleteDatabase(id: "gql-main") }')
    assert error_codes(busy) == ["RESOURCE_BUSY"]
    assert (
        busy["errors"][0]["message"] == api.delete("/databases/gql-main").json()["error"]["message"]
    )
    done = gql(server, 'mutation { deleteDatabase(id: "gql-main", cascade: true) }')
    assert done["data"]["deleteDatabase"] is True
    assert api.get("/databases/gql-main").status_code == 404
    assert api.get("/databases/gql-b").status_code == 404


def test_rest_changes_are_seen_by_graphql(server: Server, api: httpx.Client) -> None:
    made = api.post("/databases", json={"name": "rest-made", "type": "postgresql"}).json()["data"]
    try:
        found = gql(server, '{ database(name: "rest-made") { id status connection { uri } } }')
        assert found["data"]["database"] == {
            "id": made["id"],
            "status": "running",
            "connection": {"uri": made["connection"]["uri"]},
        }
        listed = gql(
            server,
            '{ databases(status: "running", limit: 5) { items { name } pageInfo { limit } } }',
        )
        assert {"name": "rest-made"} in listed["data"]["databases"]["items"]
        assert listed["data"]["databases"]["pageInfo"]["limit"] == 5
    finally:
        api.delete("/databases/rest-made")


def test_stats_and_logs_of_a_database(server: Server, api: httpx.Client) -> None:
    assert (
        api.post("/databases", json={"name": "gql-stats", "type": "postgresql"}).status_code == 201
    )
    try:
        result = gql(
            server,
            """{ database(name: "gql-stats") {
                  stats {
                    status storage { readAt figures } engine { figures } container { figures }
                  }
                  logs(tail: 3) { timestamp message } } }""",
        )
        database = result["data"]["database"]
        assert database["stats"]["status"] == "running"
        assert database["stats"]["storage"]["figures"]["logical_bytes"] > 0
        assert database["stats"]["engine"]["figures"]["connections"] >= 0
        assert database["stats"]["container"]["figures"]["memory_used_bytes"] > 0
        assert 1 <= len(database["logs"]) <= 3
        refused = gql(server, '{ database(name: "gql-stats") { logs(tail: 0) { message } } }')
        assert error_codes(refused) == ["VALIDATION_ERROR"]
    finally:
        api.delete("/databases/gql-stats")


@pytest.mark.parametrize(
    ("mutation", "rest"),
    [
        (
            'createDatabase(input: {name: "x1", type: "oracle"}) { id }',
            ("POST", "/databases", {"name": "x1", "type": "oracle"}),
        ),
        (
            'createDatabase(input: {name: "Bad_Name", type: "postgresql"}) { id }',
            ("POST", "/databases", {"name": "Bad_Name", "type": "postgresql"}),
        ),
        ('startDatabase(id: "missing") { id }', ("POST", "/databases/missing/start", None)),
        (
            'deleteSnapshot(id: "snap-000000000000")',
            ("DELETE", "/snapshots/snap-000000000000", None),
        ),
        (
            'createBranch(databaseId: "missing", input: {name: "b"}) { id }',
            ("POST", "/databases/missing/branches", {"name": "b"}),
        ),
    ],
)
def test_same_errors_as_rest(server: Server, api: httpx.Client, mutation: str, rest: tuple) -> None:
    result = gql(server, f"mutation {{ {mutation} }}")
    method, path, body = rest
    response = api.request(method, path, json=body)
    assert error_codes(result) == [response.json()["error"]["code"]]
    assert result["errors"][0]["message"] == response.json()["error"]["message"]


def test_paging_rules_are_the_same(server: Server) -> None:
    result = gql(server, "{ databases(limit: 101) { pageInfo { total } } }")
    assert error_codes(result) == ["VALIDATION_ERROR"]
    assert "limit must be between 1 and 100" in result["errors"][0]["message"]


async def _watch(
    server: Server, database: str, count: int, ready: asyncio.Event
) -> list[dict[str, Any]]:
    url = server.base_url.replace("http://", "ws://").replace("/v1", "/graphql")
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {server.key}"}}
            )
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = (
            "subscription($id: ID!) "
            "{ databaseEvents(id: $id) { event status name databaseId parentId } }"
        )
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": {"id": database}},
                }
            )
        )
        await asyncio.sleep(0.3)
        ready.set()
        events = []
        while len(events) < count:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
            assert message["type"] == "next", message
            events.append(message["payload"]["data"]["databaseEvents"])
        return events


def test_subscription_streams_lifecycle_events(server: Server) -> None:
    made = httpx.post(
        f"{server.base_url}/databases",
        json={"name": "watched", "type": "postgresql"},
        headers={"Authorization": f"Bearer {server.key}"},
        timeout=120,
    ).json()["data"]

    async def scenario() -> list[dict[str, Any]]:
        ready = asyncio.Event()
        watcher = asyncio.create_task(_watch(server, "watched", 5, ready))
        await ready.wait()
        headers = {"Authorization": f"Bearer {server.key}"}
        async with httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=120) as c:
            await c.post("/databases/watched/stop")
            await c.post("/databases/watched/start")
            await c.post("/databases/watched/snapshots", json={"name": "seen"})
            await c.post("/databases/watched/branches", json={"name": "watched-branch"})
        return await asyncio.wait_for(watcher, timeout=60)

    try:
        events = asyncio.run(scenario())
        assert [(e["event"], e["status"]) for e in events] == [
            ("database.stopped", "stopped"),
            ("database.started", "running"),
            ("snapshot.created", "running"),
            ("snapshot.created", "running"),  # taken to make the branch
            ("branch.created", "running"),
        ]
        assert all(e["databaseId"] == made["id"] for e in events[:4])
        assert events[4]["name"] == "watched-branch" and events[4]["parentId"] == made["id"]
    finally:
        httpx.delete(
            f"{server.base_url}/databases/watched",
            params={"cascade": "true"},
            headers={"Authorization": f"Bearer {server.key}"},
            timeout=120,
        )


def test_subscription_refuses_a_wrong_key(server: Server) -> None:
    async def connect() -> int | None:
        url = server.base_url.replace("http://", "ws://").replace("/v1", "/graphql")
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(
                json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})
            )
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), timeout=10)
            return ws.close_code

    assert asyncio.run(connect()) == 4403


def test_one_request_reads_the_stats_or_logs_of_at_most_ten_databases(server: Server) -> None:
    made = httpx.post(
        f"{server.base_url}/databases",
        json={"name": "read-budget", "type": "postgresql"},
        headers={"Authorization": f"Bearer {server.key}"},
        timeout=120,
    )
    assert made.status_code == 201, made.text

    def reads(count: int) -> str:
        one = 'database(name: "read-budget") { logs(tail: 1) { message } }'
        return "{ " + " ".join(f"r{n}: {one}" for n in range(count)) + " }"

    allowed = gql(server, reads(10))
    assert "errors" not in allowed and len(allowed["data"]) == 10
    refused = gql(server, reads(11))
    assert error_codes(refused) == ["VALIDATION_ERROR"]
    assert "at most 10 databases" in refused["errors"][0]["message"]
    fine = gql(server, '{ database(name: "read-budget") { stats { status } } }')
    assert fine["data"]["database"]["stats"]["status"] == "running"
    httpx.delete(
        f"{server.base_url}/databases/read-budget",
        headers={"Authorization": f"Bearer {server.key}"},
        timeout=120,
    )
