"""Relations in GraphQL are batched: a deep query over 50 databases runs a bounded number of
metadata queries (real Tortoise on SQLite; no containers are needed to read metadata)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tortoise import Tortoise, connections

from app.config import Settings
from app.domain.services import Services
from app.models import Database, Snapshot, tortoise_config
from app.models.migrations import apply_migrations
from app.models.sealed import configure_sealing
from schema.build import schema
from schema.context import Context
from schema.loaders import Loaders
from schema.sessions import OpenSessions

DEEP_QUERY = """
{ databases(limit: 100) {
    items {
      name parent { name } branches { name }
      snapshots { name database { name } branches { name } }
    }
    pageInfo { total }
} }
"""


async def _seed(count: int) -> None:
    for n in range(count):
        parent = await Database.create(
            id=f"db-parent{n:05d}", name=f"parent-{n}", engine="postgresql", version="15",
            status="running", port=20000 + n, username="postgres", password="x",
            database_name="postgres", volume=f"db-parent{n:05d}",
        )  # fmt: skip
        snapshot = await Snapshot.create(
            id=f"snap-snap{n:07d}", name="s", database=parent, status="ready", volume=parent.volume
        )
        await Database.create(
            id=f"db-branch{n:05d}", name=f"branch-{n}", engine="postgresql", version="15",
            status="stopped", port=30000 + n, username="postgres", password="x",
            database_name="postgres", volume=f"db-branch{n:05d}", parent=parent,
            snapshot_id=snapshot.id,
        )  # fmt: skip


async def _count_queries(tmp_path: Path) -> tuple[int, dict]:
    settings = Settings.from_env({"STAGDB_DATA_DIR": str(tmp_path)})
    await apply_migrations(settings.database_url)
    configure_sealing(settings.data_dir, None)
    await Tortoise.init(config=tortoise_config(settings.database_url))
    try:
        await _seed(50)
        services = Services.build(settings)
        client = connections.get("default")
        executed: list[str] = []
        original = client.execute_query

        async def counting(query: str, values: list | None = None):  # type: ignore[no-untyped-def]
            executed.append(query)
            return await original(query, values)

        client.execute_query = counting  # type: ignore[method-assign]
        context = Context(
            services=services,
            loaders=Loaders.build(services),
            principal=None,
            sessions=OpenSessions(),
        )
        result = await schema.execute(DEEP_QUERY, context_value=context)
        assert result.errors is None, result.errors
        return len(executed), result.data or {}
    finally:
        await Tortoise.close_connections()


def test_deep_query_of_50_databases_runs_a_bounded_number_of_queries(tmp_path: Path) -> None:
    count, data = asyncio.run(_count_queries(tmp_path))
    items = data["databases"]["items"]
    assert data["databases"]["pageInfo"]["total"] == 100
    parents = [i for i in items if i["name"].startswith("parent-")]
    assert len(parents) == 50
    assert all(p["branches"] == [{"name": p["name"].replace("parent", "branch")}] for p in parents)
    assert all(p["snapshots"][0]["branches"] == p["branches"] for p in parents)
    # count + page + parents + branches + snapshots + snapshot.database + snapshot.branches
    assert count <= 8, f"{count} queries"
