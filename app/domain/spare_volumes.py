"""Spare volumes: a clone of each template made ahead of the create that needs it.

The spare is made under the name of the database that will take it, a fresh database id: a
create takes that id for its database and finds the volume ready, so nothing is cloned or
renamed on its request's path. On btrfs a clone is a snapshot, which waits for a transaction
commit: about 10 ms on a quiet pool, 50-100 ms on a pool 400 running databases write to. A
rename would be no cheaper there: renaming a subvolume makes every fsync on the filesystem a
full transaction commit until the next one, the new engine's first fsync and every other
database's alike. On the copy backend a clone copies the whole template.

One spare per template, made again in the background once a create has taken one. To anyone
but its maker a spare looks like a volume without a database, which is what the orphan search
destroys; so each spare is marked in the pool itself, a file named after it in
`<pool>/spare-volumes/` holding its maker's process identity, written before the clone starts
and removed once the database that took it is recorded (or the spare destroyed). Every
replica sharing the pool honours the marks of live processes (`held`) and reads them before
the records; the mark of a process that has ended holds nothing, so what a crash left is
destroyed by the next orphan search, and its mark dropped (`drop_stale`). A mark is a plain
file outside the volumes: unlike a subvolume's rename it costs other fsyncs nothing. Spares
left when the server stops are destroyed then. Pools whose volumes are not directories (ZFS)
keep none and clone on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from app.domain.ids import new_id
from app.domain.operations import THIS_PROCESS, owner_is_gone
from app.drivers.storage import StorageFailure, StoragePool

log = logging.getLogger(__name__)

LEGACY_PREFIX = "spare-"  # how releases before database-named spares named them
MARKS = "spare-volumes"  # the directory of marks at the pool's root


class SpareMarks:
    """Which volumes of a pool are spares, and whose: one file per spare, shared by every
    process using the pool."""

    def __init__(self, root: Path, owner: str = THIS_PROCESS) -> None:
        self.directory = root / MARKS
        self.owner = owner

    def mark(self, volume: str) -> None:
        self.directory.mkdir(exist_ok=True)
        (self.directory / volume).write_text(self.owner + "\n")

    def unmark(self, volume: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.directory / volume).unlink()

    def all(self) -> dict[str, str]:
        """Every marked volume and the process that marked it."""
        marks: dict[str, str] = {}
        with contextlib.suppress(FileNotFoundError):
            for path in self.directory.iterdir():
                with contextlib.suppress(OSError):
                    marks[path.name] = path.read_text().strip()
        return marks

    def live(self) -> set[str]:
        """The marked volumes whose process still runs."""
        return {volume for volume, owner in self.all().items() if not owner_is_gone(owner)}

    def drop_stale(self) -> None:
        """Forget the marks of processes that have ended."""
        for volume, owner in self.all().items():
            if owner_is_gone(owner):
                self.unmark(volume)


class SpareVolumes:
    def __init__(self, pool: StoragePool, owner: str = THIS_PROCESS) -> None:
        self.pool = pool
        self.marks = SpareMarks(pool.root, owner)
        self.enabled = pool.clones_ahead
        self._spares: dict[str, str] = {}  # template volume -> its spare
        self._making: dict[str, asyncio.Task[None]] = {}  # template -> its spare's making

    @asynccontextmanager
    async def taking(self, template: str) -> AsyncIterator[str | None]:
        """For a create: the id for its database whose volume already holds the template's
        content, or None when there is no spare (the create clones). One being made is waited
        for: a clone of its own would wait for the same commit, then make one more. The
        volume stays marked until `recorded`. The next spare is made once the create is over:
        made while the new engine starts, its snapshot's commit would hold up the engine's
        first fsync."""
        if template not in self._spares and template in self._making:
            # Waited on, not awaited: a create given up does not stop the making.
            await asyncio.wait([self._making[template]])
        spare = self._spares.pop(template, None)
        if spare is not None and not await asyncio.to_thread(self.pool.volume_exists, spare):
            log.warning("spare volume %s has gone; cloning the template instead", spare)
            await self._unmark(spare)
            spare = None
        try:
            yield spare
        finally:
            self.replace(template)

    async def recorded(self, volume: str) -> None:
        """The create that took `volume` has recorded its database, or given up and destroyed
        the volume: from now on the records account for it."""
        await self._unmark(volume)

    async def _unmark(self, volume: str) -> None:
        """In a worker thread: the marks lie in the pool, and on zfs-fuse a file's removal
        waits for the daemon, which the event loop must never do."""
        await asyncio.to_thread(self.marks.unmark, volume)

    async def held(self) -> set[str]:
        """Volumes that are spares of a live process, this one or another sharing the pool
        (being made, ready, or taken by a create that has not recorded its database yet)."""
        return await asyncio.to_thread(self.marks.live)

    async def drop_stale(self) -> None:
        """Forget the marks of processes that have ended (call after destroying orphans)."""
        await asyncio.to_thread(self.marks.drop_stale)

    def replace(self, template: str) -> None:
        """Make the template's spare in the background, unless it has one or one is being
        made."""
        if not self.enabled or template in self._spares or template in self._making:
            return
        task = asyncio.create_task(self._make(template, new_id("db")))
        self._making[template] = task
        task.add_done_callback(lambda _: self._making.pop(template, None))

    async def _make(self, template: str, spare: str) -> None:
        try:
            await asyncio.to_thread(self.marks.mark, spare)
        except OSError as exc:  # unmarked, another replica would take it for an orphan
            log.warning("cannot mark a spare volume in %s: %s", self.marks.directory, exc)
            return
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
        if self.enabled:
            volumes = await asyncio.to_thread(self.pool.list_volumes)
            for volume in volumes:
                if volume.startswith(LEGACY_PREFIX):
                    await self._destroy(volume)
        try:
            yield
        finally:
            making = list(self._making.values())
            for task in making:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            spares, self._spares = list(self._spares.values()), {}
            for spare in spares:
                await self._destroy(spare)

    async def _destroy(self, volume: str) -> None:
        try:
            await asyncio.to_thread(self.pool.destroy_volume, volume)
        except StorageFailure as exc:
            if await asyncio.to_thread(self.pool.volume_exists, volume):
                # Its mark stays while this process runs; the orphan search destroys it after.
                log.warning("cannot destroy spare volume %s: %s", volume, exc)
                return
        await self._unmark(volume)
