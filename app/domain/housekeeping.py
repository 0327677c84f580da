"""Housekeeping: the timed work databases ask for (expiry, scheduled snapshots, stopping when
idle), pruning rows past their retention, and the connection front's side of it (which ports
it serves, when a client's connection may start a stopped database, which databases had
clients).

Every check (at most STAGDB_JOB_INTERVAL seconds apart, 5 at most) records which databases had
client connections through this replica's front, brings the front's ports in line with the
metadata, and runs this host's due jobs (claimed under leases: see `app.domain.jobs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from app.domain import lifecycle
from app.domain.databases import DatabaseService
from app.domain.jobs import EXPIRE, IDLE, PRUNE, REFRESH, SNAPSHOT, Outcome
from app.domain.operations import unlocked
from app.domain.refresh import RefreshService
from app.domain.retention import Retention
from app.domain.snapshots import SnapshotService
from app.domain.tenancy import system_context
from app.drivers.front import Unavailable
from app.errors import StagError
from app.models import Database, Job

log = logging.getLogger(__name__)

EXPIRY_RETRY_S = 5.0  # a protected branch postpones an expiry: look again this often


class Housekeeping:
    def __init__(
        self,
        databases: DatabaseService,
        snapshots: SnapshotService,
        interval_s: float,
        wake_timeout_s: float,
        retention: Retention,
        refresher: RefreshService | None = None,
    ) -> None:
        self.databases = databases
        self.retention = retention
        self.refresher = refresher
        self.snapshots = snapshots
        self.provisioner = databases.provisioner
        self.front = databases.provisioner.front
        self.doors = databases.provisioner.doors
        self.jobs = databases.jobs
        self.interval_s = interval_s
        self.wake_timeout_s = wake_timeout_s
        self.handlers = {
            EXPIRE: self.expire,
            SNAPSHOT: self.snapshot,
            IDLE: self.idle,
            PRUNE: self.prune,
            REFRESH: self.refresh,
        }
        self._wakes: dict[str, asyncio.Task[None]] = {}
        self.front.admit = self.admit

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Serve the front's ports before the first request, then check every interval."""
        await self.doors.open()
        await self.serve_ports()
        await self.jobs.schedule(PRUNE, datetime.now(UTC))
        stop = asyncio.Event()
        loop = asyncio.create_task(self._check_until(stop))
        try:
            yield
        finally:
            stop.set()
            await loop
            await self.doors.close()
            await self.front.aclose()

    async def _check_until(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.check()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)

    async def check(self) -> None:
        """One round; never raises."""
        for step in (self.record_activity, self.serve_ports, self._run_jobs):
            try:
                await step()
            except Exception:
                log.exception("housekeeping step %s failed; retrying at the next check",
                              step.__name__)  # fmt: skip

    async def _run_jobs(self) -> None:
        await self.jobs.run_due(self.handlers)

    async def record_activity(self) -> None:
        """Databases with client connections (through this front, or forwarded by the
        kernel) were active just now."""
        active = await self.doors.active_since_last_read()
        if active:
            await Database.filter(id__in=list(active)).update(last_active_at=datetime.now(UTC))

    async def serve_ports(self) -> None:
        """The front serves the port of every database of this host, and no other; the
        kernel forwards those of the running ones.

        Runs every check: only ids, ports and statuses are read, and only databases whose port
        is not served yet are loaded whole, so a full host costs one narrow query a second."""
        served_before = self.front.ports()
        ports = await Database.filter(
            host=self.provisioner.host, port__not_isnull=True
        ).values_list("id", "port", "status")
        wanted: dict[int, str] = {port: database_id for database_id, port, _ in ports}
        served = self.front.ports()
        for port, database_id in served.items():
            # A port the front began serving while the records were read (a delete freed it
            # and a create took it) is newer than what was read: the next check judges it.
            if served_before.get(port) == database_id and wanted.get(port) != database_id:
                await self.provisioner.unexpose(port, database_id)
        missing = [
            database_id for port, database_id in wanted.items() if served.get(port) != database_id
        ]
        for row in await Database.filter(id__in=missing) if missing else []:
            try:
                await self.provisioner.expose(self.databases.placement(row))
            except StagError as exc:
                log.error("the front cannot serve %s: %s", row.id, exc.message)
            except Exception as exc:
                log.error("the front cannot serve %s: %s", row.id, exc)
        await self.doors.reconcile(
            {database_id for database_id, _, status in ports if status == lifecycle.RUNNING},
            self._forwardable,
        )

    @staticmethod
    async def _forwardable(database_ids: set[str]) -> set[str]:
        """Of these databases, those running with no operation under way on any replica."""
        running_free = Q(id__in=list(database_ids), status=lifecycle.RUNNING) & unlocked()
        return {
            str(found) for found in await Database.filter(running_free).values_list("id", flat=True)
        }

    async def expire(self, job: Job) -> Outcome:
        row = await Database.get_or_none(id=job.database_id)
        if row is None or row.expires_at is None:
            return Outcome(None)
        now = datetime.now(UTC)
        if row.expires_at > now:
            return Outcome(row.expires_at)
        postponed = await self.databases.expire(row)
        if postponed is None:
            return Outcome(None)
        if postponed != job.last_error:
            log.warning("%s", postponed)
            await self.databases.announce("database.updated", row, reason=postponed)
        return Outcome(now + timedelta(seconds=EXPIRY_RETRY_S), postponed)

    async def snapshot(self, job: Job) -> Outcome:
        row = await Database.get_or_none(id=job.database_id)
        if row is None or row.snapshot_every_s is None:
            return Outcome(None)
        now = datetime.now(UTC)
        every = timedelta(seconds=row.snapshot_every_s)
        await self.snapshots.take_scheduled(row, now)
        following = job.due_at + every
        return Outcome(following if following > now else now + every)

    async def refresh(self, job: Job) -> Outcome:
        """A scheduled refresh; one that fails (the source is away) is tried again at the
        next beat, and the failure is kept on the job."""
        row = await Database.get_or_none(id=job.database_id)
        if row is None or row.refresh_every_s is None or self.refresher is None:
            return Outcome(None)
        now = datetime.now(UTC)
        every = timedelta(seconds=row.refresh_every_s)
        note = None
        try:
            await self.refresher.scheduled(row)
        except StagError as exc:
            log.warning("scheduled refresh of %s failed: %s", row.id, exc.message)
            note = f"failed: {exc.message}"
        following = job.due_at + every
        return Outcome(following if following > now else now + every, note)

    async def idle(self, job: Job) -> Outcome:
        row = await Database.get_or_none(id=job.database_id)
        if row is None or row.auto_stop_after_s is None or row.status != lifecycle.RUNNING:
            return Outcome(None)
        now = datetime.now(UTC)
        if self.doors.open_connections.get(row.id, 0) > 0:
            row.last_active_at = now
        after = timedelta(seconds=row.auto_stop_after_s)
        last = row.last_active_at or row.updated_at
        if now - last < after:
            return Outcome(last + after)
        log.info("stopping %s: no client connection for %s", row.id, now - last)
        if not await self.databases.stop_idle(row):
            return Outcome(datetime.now(UTC) + after)  # a client came just now
        return Outcome(None)

    async def prune(self, job: Job) -> Outcome:
        await self.retention.prune()
        return Outcome(datetime.now(UTC) + timedelta(seconds=self.retention.every_s))

    async def admit(self, database_id: str) -> None:
        """The front holds a client of `database_id` whose engine refused it: start the
        database when idling stopped it (one start however many clients wait), or say why it
        cannot take connections."""
        wake = self._wakes.get(database_id)
        if wake is None:
            # The server's own work, whichever request's context opened the port.
            wake = asyncio.create_task(self._wake(database_id), context=system_context())
            self._wakes[database_id] = wake
            wake.add_done_callback(lambda done: self._woken(database_id, done))
        await asyncio.shield(wake)

    def _woken(self, database_id: str, wake: asyncio.Task[None]) -> None:
        self._wakes.pop(database_id, None)
        if not wake.cancelled():
            wake.exception()  # retrieved here: the clients that waited have their answer

    async def _wake(self, database_id: str) -> None:
        row = await Database.get_or_none(id=database_id)
        if row is None:
            raise Unavailable("the database does not exist")
        if row.status in (lifecycle.RUNNING, lifecycle.CREATING):
            return  # starting, or being brought back by the controller: the front retries
        if row.status == lifecycle.STOPPED and row.idle_stopped:
            log.info("waking %s for a client connection", row.id)
            try:
                await self.databases.wake(row, self.wake_timeout_s)
            except StagError as exc:
                raise Unavailable(f"the database could not be started: {exc.message}") from exc
            return
        if row.status == lifecycle.STOPPED:
            raise Unavailable(f"database '{row.name}' is stopped; start it through the API")
        raise Unavailable(f"database '{row.name}' is {row.status}")
