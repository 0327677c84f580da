"""Port candidates for a new database (app.domain.ports) on a real SQLite metadata database:
ports held by a database on this host are passed over, the rest are probed one at a time,
only as far as the caller goes, and a range with nothing free is a clear error."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.domain.ports import CANDIDATES, candidate_ports
from app.errors import InsufficientResources
from app.models import Database
from tests.unit.metadata import sqlite_metadata

HOST = "this-host"


async def _holding(port: int, host: str = HOST) -> None:
    await Database.create(
        id=f"db-port{port:08d}", name=f"d{port}", engine="postgresql", version="15",
        status="running", port=port, host=host, username="stagdb", password="x",
        database_name="app", volume=f"vol-{port}",
    )  # fmt: skip


def test_ports_are_probed_only_until_one_is_taken(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with sqlite_metadata(tmp_path):
            await _holding(20000)
            await _holding(20001, host="another-host")  # held there, not here
            probed: list[int] = []

            def is_free(port: int) -> bool:
                probed.append(port)
                return port != 20002  # something else listens there

            candidates = await candidate_ports(HOST, (20000, 20100), is_free)
            assert probed == []
            assert next(candidates) == 20001
            assert probed == [20001], "one probe for the first candidate"
            assert next(candidates) == 20003
            assert probed == [20001, 20002, 20003]
            assert len(list(candidates)) == CANDIDATES - 2  # no more than that in all

    asyncio.run(scenario())


def test_a_range_with_nothing_free_is_a_clear_error(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with sqlite_metadata(tmp_path):
            await _holding(20000)
            candidates = await candidate_ports(HOST, (20000, 20002), lambda port: port != 20001)
            assert list(candidates) == [20002]
            with pytest.raises(InsufficientResources, match="20000-20001 .STAGDB_PORT_RANGE"):
                list(await candidate_ports(HOST, (20000, 20001), lambda port: False))

    asyncio.run(scenario())
