"""Start-up reconciliation: metadata rows, containers (by label) and volumes are made to agree,
and operations a previous process left unfinished are rolled back or completed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from app.domain import lifecycle, operations
from app.domain.ids import ID_LENGTH
from app.domain.provisioning import Provisioner
from app.drivers.runtime.base import DATABASE_LABEL, HOST_LABEL, RuntimeFailure
from app.models import Database, Operation, Snapshot

log = logging.getLogger(__name__)


class Reconciler:
    def __init__(self, provisioner: Provisioner, retry_s: float = 10.0) -> None:
        self.provisioner = provisioner
        self.retry_s = retry_s

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Reconcile now; if the container runtime is unreachable, keep serving (health
        says so) and retry in the background until it answers."""
        if await self._attempt():
            yield
            return
        stop = asyncio.Event()
        retry = asyncio.create_task(self._retry_until_done(stop))
        try:
            yield
        finally:
            # Let a running attempt finish rather than cancel it inside a transaction.
            stop.set()
            await retry

    async def _attempt(self) -> bool:
        try:
            await self.run()
        except RuntimeFailure as exc:
            log.error("reconciliation postponed, container runtime unavailable: %s", exc)
            return False
        return True

    async def _retry_until_done(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.retry_s)
            if stop.is_set() or await self._attempt():
                return

    async def run(self) -> None:
        """Finish what ended processes left: their operations fail, their half-made creations
        are rolled back, deletions completed and locks released. Work of processes still
        alive (other API replicas) is left alone."""
        live: set[str] = set()
        for operation in await Operation.filter(status=operations.RUNNING):
            if not operations.owner_is_gone(operation.owner):
                live.add(operation.id)
                continue
            operation.status = operations.FAILED
            operation.error = "interrupted: the server stopped before the operation finished"
            operation.finished_at = datetime.now(UTC)
            await operation.save(update_fields=["status", "error", "finished_at"])
        host = self.provisioner.host
        for row in await Database.filter(host=host, status=lifecycle.CREATING):
            if row.locked_by not in live:
                log.warning("rolling back unfinished creation of %s", row.id)
                await self._remove_everything(row)
        for row in await Database.filter(host=host, status=lifecycle.DELETING):
            if row.locked_by not in live:
                log.warning("finishing interrupted deletion of %s", row.id)
                await self._remove_everything(row)
        await (
            Database.filter(host=host, locked_by__isnull=False)
            .exclude(locked_by__in=list(live))
            .update(locked_by=None)
        )
        busy = {row.id for row in await Database.filter(host=host, locked_by__in=list(live))}
        await self._sync_running_status(host, busy)
        await self._remove_orphans(host, busy)

    async def _remove_everything(self, row: Database) -> None:
        await self.provisioner.remove_container(row.container_id, row.id)
        await self.provisioner.destroy_volume(row.volume)
        await row.delete()

    async def _sync_running_status(self, host: str, busy: set[str]) -> None:
        containers = {
            c.labels.get(DATABASE_LABEL): c
            for c in await asyncio.to_thread(self.provisioner.runtime.list_managed)
        }
        for row in await Database.filter(host=host, status=lifecycle.RUNNING):
            if row.id in busy:
                continue
            container = containers.get(row.id)
            if container is None or container.status != "running":
                row.status = lifecycle.STOPPED
                await row.save(update_fields=["status", "updated_at"])

    async def _remove_orphans(self, host: str, busy: set[str]) -> None:
        known = set(await Database.filter(host=host).values_list("id", flat=True))
        known_volumes = set(await Database.filter(host=host).values_list("volume", flat=True))
        known_volumes |= set(
            await Snapshot.filter(database__host=host).values_list("volume", flat=True)
        )
        for container in await asyncio.to_thread(self.provisioner.runtime.list_managed):
            owner = container.labels.get(DATABASE_LABEL)
            if container.labels.get(HOST_LABEL) != host:
                continue
            # A container without a database is a template's init run: gone once it ends.
            orphaned = owner not in known if owner else container.status != "running"
            if orphaned:
                log.warning("removing orphan container %s", container.name)
                await asyncio.to_thread(self.provisioner.runtime.remove, container.id)
        for volume in await asyncio.to_thread(self.provisioner.pool.list_volumes):
            database_id = volume[: len("db-") + ID_LENGTH]
            if volume.startswith("db-") and volume not in known_volumes and database_id not in busy:
                log.warning("destroying orphan volume %s", volume)
                await self.provisioner.destroy_volume(volume)
