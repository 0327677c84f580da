"""Health of the server's dependencies: metadata database, container runtime, storage pool."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise import connections

from app.drivers.runtime.base import ContainerRuntime
from app.drivers.storage import StoragePool

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DependencyHealth:
    name: str
    healthy: bool
    latency_ms: float
    details: dict[str, object]


@dataclass(frozen=True)
class HealthReport:
    healthy: bool
    dependencies: list[DependencyHealth]


class HealthService:
    def __init__(self, runtime: ContainerRuntime, pool: StoragePool) -> None:
        self.runtime = runtime
        self.pool = pool

    async def check(self) -> HealthReport:
        checks = await asyncio.gather(
            _timed("metadata", self._metadata),
            _timed("docker", self._docker),
            _timed("storage", self._storage),
        )
        return HealthReport(healthy=all(c.healthy for c in checks), dependencies=list(checks))

    async def _metadata(self) -> dict[str, object]:
        connection = connections.get("default")
        await connection.execute_query("SELECT 1")
        return {"dialect": connection.capabilities.dialect}

    async def _docker(self) -> dict[str, object]:
        await asyncio.to_thread(self.runtime.ping)
        return {}

    async def _storage(self) -> dict[str, object]:
        free = await asyncio.to_thread(self.pool.free_bytes)
        return {"backend": self.pool.kind, "free_bytes": free}


async def _timed(name: str, probe: Callable[[], Awaitable[dict[str, object]]]) -> DependencyHealth:
    started = time.perf_counter()
    try:
        details = await asyncio.wait_for(probe(), timeout=5)
        healthy = True
    except Exception as exc:
        log.warning("health check %s failed: %s", name, exc)
        details, healthy = {"error": f"{name} is unavailable"}, False
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    return DependencyHealth(name, healthy, latency_ms, details)
