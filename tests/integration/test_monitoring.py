"""Stats, logs, health, metrics, request ids and rate limits, as a user meets them over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import docker
import httpx
import psycopg
import pytest

from tests.conftest import Server, launch_server, shut_down


@pytest.fixture(scope="module")
def watched(server: Server) -> Iterator[dict]:
    with server.client as api:
        made = api.post("/databases", json={"name": "watched", "type": "postgresql"})
        assert made.status_code == 201, made.text
        yield made.json()["data"]
        api.delete("/databases/watched")


def test_stats_come_from_docker_storage_and_the_engine(api: httpx.Client, watched: dict) -> None:
    with psycopg.connect(watched["connection"]["uri"], autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS filler AS SELECT generate_series(1, 50000) n"
        )
        stats = api.get("/databases/watched/stats").json()["data"]
        assert (stats["database_id"], stats["status"]) == (watched["id"], "running")
        container = stats["container"]["figures"]
        assert container["memory_used_bytes"] > 1_000_000
        assert container["memory_limit_bytes"] > container["memory_used_bytes"]
        assert container["cpu_percent"] is not None and container["cpu_percent"] >= 0
        storage = stats["storage"]["figures"]
        assert storage["backend"] == "copy"
        assert storage["logical_bytes"] > 30_000_000 and storage["pool_free_bytes"] > 0
        engine = stats["engine"]["figures"]
        assert engine["connections"] >= 1, "our own open connection is counted"
        assert engine["transactions_committed"] > 0 and engine["uptime_seconds"] >= 0
        sizes = {d["name"]: d["size_bytes"] for d in engine["databases"]}
        assert sizes["postgres"] > 1_000_000
    for part in ("container", "storage", "engine"):
        read_at = datetime.fromisoformat(stats[part]["read_at"].replace("Z", "+00:00"))
        assert abs(datetime.now(UTC) - read_at) < timedelta(minutes=1)


def test_stopped_database_reports_what_is_still_known(api: httpx.Client, watched: dict) -> None:
    assert api.post("/databases/watched/stop").status_code == 200
    try:
        stats = api.get("/databases/watched/stats").json()["data"]
        assert stats["status"] == "stopped"
        assert stats["container"] is None and stats["engine"] is None
        assert stats["storage"]["figures"]["logical_bytes"] > 0
    finally:
        assert api.post("/databases/watched/start").status_code == 200


def test_logs_have_timestamps_and_honour_tail_and_since(api: httpx.Client, watched: dict) -> None:
    lines = api.get("/databases/watched/logs", params={"tail": 5}).json()["data"]["lines"]
    assert 1 <= len(lines) <= 5
    assert any("ready to accept connections" in line["message"] for line in lines)
    stamps = [datetime.fromisoformat(line["timestamp"].replace("Z", "+00:00")) for line in lines]
    assert stamps == sorted(stamps)
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    later = api.get("/databases/watched/logs", params={"since": future}).json()["data"]["lines"]
    assert later == []
    for params, fragment in [
        ({"tail": 0}, "tail must be between 1 and 10000"),
        ({"tail": 10_001}, "tail must be between 1 and 10000"),
        ({"since": "yesterday"}, "RFC 3339"),
        ({"since": "2026-01-01T00:00:00"}, "time zone"),
    ]:
        refused = api.get("/databases/watched/logs", params=params)
        assert refused.status_code == 400 and fragment in refused.json()["error"]["message"]


def test_request_ids_are_echoed_or_made(api: httpx.Client, server: Server) -> None:
    echoed = api.get("/databases", headers={"X-Request-ID": "ci-run-42"})
    assert echoed.headers["X-Request-ID"] == "ci-run-42"
    made = api.get("/databases", headers={"X-Request-ID": "not ok!" * 20})
    assert len(made.headers["X-Request-ID"]) == 32 and made.headers["X-Request-ID"] != "not ok!"
    entries = [
        json.loads(line)
        for line in server.log_path.read_text().splitlines()
        if line.startswith("{")
    ]
    access = [e for e in entries if e.get("request_id") == "ci-run-42"]
    assert access and access[-1]["logger"] == "stagdb.access"
    assert access[-1]["route"] == "/v1/databases" and access[-1]["status"] == 200


def test_metrics_in_prometheus_format(api: httpx.Client, server: Server, watched: dict) -> None:
    api.get("/databases/watched")
    text = api.get(server.base_url.replace("/v1", "/metrics")).text  # an admin key
    assert (
        'stagdb_http_requests_total{method="GET",route="/v1/databases/{id}",status="200"}' in text
    )
    assert 'stagdb_databases{status="running"} 1.0' in text
    assert (
        'stagdb_operation_duration_seconds_count{kind="database.create",outcome="succeeded"}'
        in text
    )
    assert "stagdb_pool_free_bytes" in text and "stagdb_pool_used_bytes" in text


def test_health_reports_each_dependency_and_503_when_one_is_down(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> None:
    down = launch_server(None, tmp_root, {"STAGDB_DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    try:
        response = httpx.get(f"{down.base_url}/health")
        assert response.status_code == 503
        body = response.json()
        assert body["success"] is False and body["data"]["status"] == "unhealthy"
        dependencies = body["data"]["dependencies"]
        assert dependencies["docker"]["status"] == "down"
        assert dependencies["metadata"]["status"] == "up"
        assert dependencies["storage"]["free_bytes"] > 0
        assert all(d["latency_ms"] >= 0 for d in dependencies.values())
        assert "nonexistent" not in response.text, "no internals in the answer"
    finally:
        shut_down(down, docker_client)


@pytest.fixture
def limited_server(
    docker_client: docker.DockerClient, postgres_image: str, tmp_root: Path
) -> Iterator[Server]:
    server = launch_server(
        None,
        tmp_root,
        {
            "STAGDB_RATE_LIMIT_GENERAL": "12",
            "STAGDB_RATE_LIMIT_DATABASE": "3",
            "STAGDB_RATE_LIMIT_BRANCHING": "1",
        },
    )
    yield server
    shut_down(server, docker_client)


def test_rate_limits_per_key_survive_a_restart(limited_server: Server) -> None:
    with limited_server.client as api:
        first = api.post("/databases", json={"name": "rl", "type": "postgresql"})
        assert first.status_code == 201
        assert first.headers["X-RateLimit-Limit"] == "3"
        assert first.headers["X-RateLimit-Remaining"] == "2"
        assert int(first.headers["X-RateLimit-Reset"]) > time.time()
        assert api.post("/databases/rl/snapshots", json={"name": "one"}).status_code == 201
        refused = api.post("/databases/rl/snapshots", json={"name": "two"})
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "RATE_LIMITED"
        assert "1 snapshot/branch operations per hour" in refused.json()["error"]["message"]
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
        assert api.post("/databases/rl/stop").headers["X-RateLimit-Remaining"] == "1"

    limited_server.stop()
    limited_server.start()
    with limited_server.client as api:
        assert api.post("/databases/rl/start").headers["X-RateLimit-Remaining"] == "0"
        graphql = httpx.post(
            limited_server.base_url.replace("/v1", "/graphql"),
            json={"query": 'mutation { stopDatabase(id: "rl") { status } }'},
            headers={"Authorization": f"Bearer {limited_server.key}"},
        ).json()
        assert graphql["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        general = api.get("/databases")
        remaining = int(general.headers["X-RateLimit-Remaining"])
        for _ in range(remaining):
            assert api.get("/databases").status_code == 200
        assert api.get("/databases").status_code == 429

    other = limited_server.cli("keys", "create", "--name", "other").stdout.strip()
    fresh = httpx.get(
        f"{limited_server.base_url}/databases", headers={"Authorization": f"Bearer {other}"}
    )
    assert fresh.status_code == 200, "each key has its own budget"
