"""Spare volumes: a clone of each template made ahead of the create that needs it.

The spare is made under the name of the database that will take it, a fresh database id: a
create takes that id for its database and finds the volume ready, so nothing is cloned or
renamed on its request's path. On btrfs a clone is a snapshot, which waits for a transaction
commit: about 10 ms on a quiet pool, 50-100 ms on a pool 400 running databases write to. A
rename would be no cheaper there: renaming a subvolume makes every fsync on the filesystem a
full transaction commit until the next one, the new engine's first fsync and every other
database's alike. On the copy backend a clone copies the whole template.

One spare per template, made again in the background as soon as one is taken. Spares are
known only to this process: to anyone else a spare is a volume without a database, which is
what one an earlier run left behind is, and what the controller's orphan search destroys. So
that search skips the volumes this process holds (`held`): being made, ready, or taken by a
create that has not recorded its database yet. Their names are also written, one per line,
to a file in the data dir (`spare-volumes`), for operators and tests to tell them from
leftovers. Spares left when the server stops are destroyed then. Pools whose volumes are not
directories (ZFS) keep none and clone on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from app.domain.ids import new_id
from app.drivers.storage import StorageFailure, StoragePool

log = logging.getLogger(__name__)

LEGACY_PREFIX = "spare-"  # how releases before database-named spares named them


class SpareVolumes:
    def __init__(self, pool: StoragePool, listing: Path | None = None) -> None:
        self.pool = pool
        self.listing = listing
        self.enabled = pool.clones_ahead
        self._spares: dict[str, str] = {}  # template volume -> its spare
        self._making: dict[str, tuple[str, asyncio.Task[None]]] = {}  # template -> spare, task
        self._taken: set[str] = set()  # spares handed out whose database is not recorded yet

    @asynccontextmanager
    async def taking(self, template: str) -> AsyncIterator[str | None]:
        """For a create: the id for its database whose volume already holds the template's
        content, or None when there is no spare (the create clones). One being made is waited
        for: a clone of its own would wait for the same commit, then make one more. The
        volume stays held until `recorded`. The next spare is made once the create is over:
        made while the new engine starts, its snapshot's commit would hold up the engine's
        first fsync."""
        if template not in self._spares and template in self._making:
            _, making = self._making[template]
            await asyncio.wait([making])  # a create given up does not stop the making
        spare = self._spares.pop(template, None)
        if spare is not None:
            self._taken.add(spare)
            self._publish()
        try:
            yield spare
        finally:
            self.replace(template)

    def recorded(self, volume: str) -> None:
        """The create that took `volume` has recorded its database, or given up and destroyed
        the volume: from now on the records account for it."""
        self._taken.discard(volume)
        self._publish()

    def held(self) -> set[str]:
        """Volumes that are spares (being made, ready, or taken and not yet recorded)."""
        making = {spare for spare, _ in self._making.values()}
        return set(self._spares.values()) | making | self._taken

    def replace(self, template: str) -> None:
        """Make the template's spare in the background, unless it has one or one is being
        made."""
        if not self.enabled or template in self._spares or template in self._making:
            return
        spare = new_id("db")
        task = asyncio.create_task(self._make(template, spare))
        self._making[template] = (spare, task)
        task.add_done_callback(lambda _: self._made(template))
        self._publish()

    def _made(self, template: str) -> None:
        self._making.pop(template, None)
        self._publish()

    def _publish(self) -> None:
        if self.listing is None:
            return
        draft = self.listing.with_name(f".{self.listing.name}.new")
        try:
            draft.write_text("".join(f"{volume}\n" for volume in sorted(self.held())))
            draft.replace(self.listing)
        except OSError as exc:  # only a listing: the spares work without it
            log.warning("cannot list spare volumes in %s: %s", self.listing, exc)

    async def _make(self, template: str, spare: str) -> None:
        try:
            await asyncio.to_thread(self.pool.clone_volume, template, spare)
        except StorageFailure as exc:  # the next create clones, and tries again after
            log.warning("cannot make a spare volume of %s: %s", template, exc)
            await self._destroy(spare)  # what a copy cut short left
            return
        self._spares[template] = spare

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Spares are kept while the server runs; none outlives it."""
        self._publish()  # an earlier run's list is stale: its spares are leftovers now
        if self.enabled:
            volumes = await asyncio.to_thread(self.pool.list_volumes)
            for volume in volumes:
                if volume.startswith(LEGACY_PREFIX):
                    await self._destroy(volume)
        try:
            yield
        finally:
            making = [task for _, task in self._making.values()]
            for task in making:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            spares, self._spares = list(self._spares.values()), {}
            for spare in spares:
                await self._destroy(spare)
            self._publish()

    async def _destroy(self, volume: str) -> None:
        try:
            await asyncio.to_thread(self.pool.destroy_volume, volume)
        except StorageFailure as exc:
            log.warning("cannot destroy spare volume %s: %s", volume, exc)
