"""Retention against a real server with a short STAGDB_RETENTION, on both metadata backends:
dispatched events, finished operations and webhook deliveries, idempotency keys, audit entries
and spent rate-limit windows are pruned, while the current rate window (its budget still
counting) is kept."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import psycopg
import pytest

from tests.conftest import MetadataCluster, Server, server_per_metadata

PRUNED_TABLES = ("events", "operations", "webhook_deliveries", "idempotency_keys", "audit_log")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def short_memory_server(
    request: pytest.FixtureRequest,
    docker_client: docker.DockerClient,
    postgres_image: str,
    metadata_cluster: MetadataCluster,
    tmp_root: Path,
) -> Iterator[Server]:
    yield from server_per_metadata(
        request.param,
        metadata_cluster,
        tmp_root,
        docker_client,
        {"STAGDB_RETENTION": "3s", "STAGDB_JOB_INTERVAL": "1", "STAGDB_WEBHOOK_MAX_ATTEMPTS": "1"},
    )


def rows(server: Server, sql: str, *params: object) -> list[tuple]:
    url = server.env.get("STAGDB_DATABASE_URL")
    if url:
        with psycopg.connect(url, autocommit=True) as connection:
            cursor = connection.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []
    with sqlite3.connect(server.data_dir / "stagdb.sqlite3") as connection:
        return connection.execute(sql, params).fetchall()


def counts(server: Server) -> dict[str, int]:
    return {table: rows(server, f"SELECT count(*) FROM {table}")[0][0] for table in PRUNED_TABLES}


def test_old_rows_are_pruned_and_the_current_rate_window_is_kept(
    short_memory_server: Server,
) -> None:
    with short_memory_server.client as api:
        made = api.post("/databases", json={"name": "forgotten", "type": "postgresql"})
        assert made.status_code == 201, made.text
        hook = api.post(
            "/webhooks",
            json={"url": "http://127.0.0.1:9/gone", "events": ["*"]},
            headers={"Idempotency-Key": "retention-1"},
        )
        assert hook.status_code == 201, hook.text
        hook_id = hook.json()["data"]["id"]
        assert api.post(f"/webhooks/{hook_id}/test").status_code == 201
        assert api.delete("/databases/forgotten").status_code == 200
        key_id = rows(short_memory_server, "SELECT key_id FROM rate_counters LIMIT 1")[0][0]
        spent_window = int(time.time()) - 3 * 3600
        rows(
            short_memory_server,
            "INSERT INTO rate_counters (key_id, bucket, window_start, count) VALUES (?, ?, ?, ?)",
            key_id,
            "general",
            spent_window - spent_window % 3600,
            5,
        )
        assert all(counts(short_memory_server).values()), counts(short_memory_server)

        deadline = time.monotonic() + 60
        while any(counts(short_memory_server).values()) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert counts(short_memory_server) == dict.fromkeys(PRUNED_TABLES, 0)
        windows = rows(short_memory_server, "SELECT window_start FROM rate_counters")
        now = int(time.time())
        assert windows and all(start > now - 2 * 3600 for (start,) in windows), windows
        # The budget of the current window still counts.
        assert int(api.get("/databases").headers["X-RateLimit-Remaining"]) < 100000 - 4
        assert api.delete(f"/webhooks/{hook_id}").status_code == 200
