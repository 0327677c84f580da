"""Spare volumes: a clone of each template made ahead of the create that needs it.

A create then renames the spare into place (one rename in the pool's directory) instead of
cloning the template on its request's path. On btrfs a clone is a snapshot, which waits for a
transaction commit: about 10 ms on a quiet pool, 50-100 ms on a pool 400 running databases
write to, since the commit waits for the device to flush what they wrote. On the copy backend
a clone copies the whole template.

One spare per template, made again in the background as soon as one is taken, and kept only
in this process: spares an earlier run left behind are destroyed when the server starts,
and those left when it stops are destroyed then. A spare is a complete clone before it is
recorded, and named as one only then (`spare-making-…` until it is): one cut short by a crash
is never handed out. Pools whose volumes are not plain directories (ZFS: a rename remounts
the dataset) keep none and clone as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.drivers.storage import StorageFailure, StoragePool

log = logging.getLogger(__name__)

PREFIX = "spare-"


class SpareVolumes:
    def __init__(self, pool: StoragePool) -> None:
        self.pool = pool
        self.enabled = pool.renames_volumes
        self._spares: dict[str, str] = {}  # template volume -> its spare
        self._making: dict[str, asyncio.Task[None]] = {}

    async def clone(self, template: str, volume: str) -> None:
        """Make `volume` hold the template's content: its spare renamed, or a clone; the next
        spare is made afterwards."""
        await self._take_or_clone(template, volume)
        self.replace(template)

    async def _take_or_clone(self, template: str, volume: str) -> None:
        spare = self._spares.pop(template, None)
        if spare is not None:
            try:
                await asyncio.to_thread(self.pool.rename_volume, spare, volume)
                return
            except StorageFailure as exc:
                log.warning("spare volume %s not usable, cloning: %s", spare, exc)
                await self._destroy(spare)
        await asyncio.to_thread(self.pool.clone_volume, template, volume)

    def replace(self, template: str) -> None:
        """Make the template's spare in the background, unless it has one or one is being
        made."""
        if not self.enabled or template in self._spares or template in self._making:
            return
        task = asyncio.create_task(self._make(template))
        self._making[template] = task
        task.add_done_callback(lambda _: self._making.pop(template, None))

    async def _make(self, template: str) -> None:
        token = secrets.token_hex(6)
        making, spare = f"{PREFIX}making-{token}", f"{PREFIX}{token}"
        try:
            await asyncio.to_thread(self.pool.clone_volume, template, making)
            await asyncio.to_thread(self.pool.rename_volume, making, spare)
        except StorageFailure as exc:  # the next create clones, and tries again after
            log.warning("cannot make a spare volume of %s: %s", template, exc)
            await self._destroy(making)
            return
        self._spares[template] = spare

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Spares are kept while the server runs; none outlives it."""
        if self.enabled:
            await self._destroy_all(await asyncio.to_thread(self.pool.list_volumes))
        try:
            yield
        finally:
            making = list(self._making.values())
            for task in making:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            spares, self._spares = list(self._spares.values()), {}
            await self._destroy_all(spares)

    async def _destroy_all(self, volumes: list[str]) -> None:
        for volume in volumes:
            if volume.startswith(PREFIX):
                await self._destroy(volume)

    async def _destroy(self, volume: str) -> None:
        try:
            await asyncio.to_thread(self.pool.destroy_volume, volume)
        except StorageFailure as exc:
            log.warning("cannot destroy spare volume %s: %s", volume, exc)
