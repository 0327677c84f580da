"""The controller: drives the container engine and the pool towards the metadata (what users
asked for) and reports the truth, continuously.

It wakes on Docker's event stream (a container of this install died, was killed or removed)
and sweeps periodically. A sweep settles operations whose process died (their lease passed),
brings back databases that should run but do not (same volume, port and password), marks
`failed` with the reason what it cannot bring back, and removes what this install made but
no longer has a record of. One database that cannot be settled never stops the rest.

What a sweep costs must not grow into load as the host fills: containers are listed in one
Docker call (inspected one by one only when not running), a running engine is probed over the
network at most every PROBE_EVERY_S (each probe makes PostgreSQL fork a backend), and a sweep
Docker's events ask for (every create, start, stop and delete makes some) looks only at the
databases the events name: their rows and their containers, one by one, not the whole host.
The search for orphaned volumes, snapshots and port claims runs on the periodic sweeps only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Coroutine, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeGuard

from app.domain import lifecycle, operations
from app.domain.databases import DatabaseService
from app.domain.ids import ID_LENGTH
from app.domain.provisioning import is_scratch, scratch_expired
from app.drivers.runtime.base import (
    TOOL_OWNER_LABEL,
    ContainerEvent,
    ContainerInfo,
    RuntimeFailure,
)
from app.errors import StagError
from app.models import Database, Operation, Snapshot

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 1.0
PROBE_EVERY_S = 60.0  # a running container's engine is probed at most this often
RETRY_FIRST_S = 5.0
RETRY_MAX_S = 300.0
HEAL_CONCURRENCY = 4
WATCH_RESTART_S = 2.0
DELETION_RETRIED = "the deletion could not be finished yet; the server keeps trying"
RUNTIME_DOWN = "the container runtime is unreachable and the engine does not answer"


@dataclass
class Backoff:
    """When to try again to bring back a database that could not be brought back, or to
    finish a deletion that failed."""

    failures: dict[str, int] = field(default_factory=dict)
    next_try: dict[str, float] = field(default_factory=dict)

    def due(self, database_id: str) -> bool:
        return time.monotonic() >= self.next_try.get(database_id, 0.0)

    def failed(self, database_id: str) -> None:
        count = self.failures.get(database_id, 0) + 1
        self.failures[database_id] = count
        self.next_try[database_id] = time.monotonic() + min(
            RETRY_FIRST_S * 2 ** (count - 1), RETRY_MAX_S
        )

    def succeeded(self, database_id: str) -> None:
        self.failures.pop(database_id, None)
        self.next_try.pop(database_id, None)

    def clear(self) -> None:
        self.failures.clear()
        self.next_try.clear()


def describe_loss(container: ContainerInfo | None) -> str:
    """Why a database that should run does not, in words for its user."""
    if container is None:
        return "its container disappeared"
    if container.oom_killed:
        return "the engine was killed for running out of memory"
    if container.status in ("exited", "dead"):
        return f"the engine exited (exit code {container.exit_code})"
    return f"its container is {container.status}"


class Controller:
    def __init__(self, databases: DatabaseService, interval_s: float) -> None:
        self.databases = databases
        self.provisioner = databases.provisioner
        self.interval_s = interval_s
        self.backoff = Backoff()
        self._wake = asyncio.Event()
        self._named: set[str] = set()  # databases Docker's events named since the last sweep
        self._runtime_was_down = False
        self._silent: set[str] = set()  # running containers whose engine did not answer
        self._answered_at: dict[str, float] = {}  # database id → its last answered probe

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Sweep now and then every interval (sooner when Docker reports a change) while the
        server runs. Stopping waits for a sweep in progress rather than cancel it inside a
        metadata transaction."""
        await self.settle_interrupted_work()
        stop = asyncio.Event()
        halt = threading.Event()
        self._wake = asyncio.Event()
        loop = asyncio.get_running_loop()
        sweeping = asyncio.create_task(self._sweep_until(stop))
        watching = asyncio.create_task(asyncio.to_thread(self._watch, loop, halt))
        try:
            yield
        finally:
            stop.set()
            halt.set()
            self._wake.set()
            await sweeping
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(watching, timeout=5)

    def _watch(self, loop: asyncio.AbstractEventLoop, halt: threading.Event) -> None:
        """Blocking: follow Docker's event stream, restarting it when the engine goes away."""

        def on_event(event: ContainerEvent) -> None:
            if event.database_id:  # tools' and templates' runs wait for the periodic sweep
                loop.call_soon_threadsafe(self._named_by_docker, event.database_id)

        while not halt.is_set():
            try:
                self.provisioner.watch_containers(on_event, halt)
            except RuntimeFailure as exc:
                log.debug("docker event stream unavailable: %s", exc)
            halt.wait(WATCH_RESTART_S)

    def _named_by_docker(self, database_id: str) -> None:
        self._named.add(database_id)
        self._wake.set()

    async def _sweep_until(self, stop: asyncio.Event) -> None:
        """A full sweep every interval, however many events come between; a sweep of the
        databases events named as they come."""
        loop = asyncio.get_running_loop()
        next_full = loop.time()
        while not stop.is_set():
            if loop.time() >= next_full:
                self._named.clear()  # the full sweep looks at them too
                await self.sweep()
                next_full = loop.time() + self.interval_s
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(next_full - loop.time(), 0))
            if stop.is_set() or not self._named:
                continue
            await asyncio.sleep(0.2)  # let a burst of events (an engine restart) settle
            named, self._named = self._named, set()
            await self.sweep_databases(named)

    async def sweep(self) -> None:
        """One pass over everything this install owns; never raises."""
        try:
            await self._settle_abandoned_operations()
            try:
                containers = await self.provisioner.containers()
            except RuntimeFailure as exc:
                await self._runtime_unreachable(exc)
                return
            self._runtime_reachable()
            by_database = {self.provisioner.database_of(c): c for c in containers}
            await self._converge(await self._needing_a_look(by_database), by_database)
            await self._remove_orphans(containers)
        except Exception:
            log.exception("controller sweep failed; retrying at the next one")

    async def sweep_databases(self, database_ids: set[str]) -> None:
        """The pass Docker's events ask for: only the databases they named, each container
        inspected on its own, so its cost follows the events, not the number of databases.
        Never raises."""
        if not database_ids:
            return
        try:
            await self._settle_abandoned_operations()
            rows = await Database.filter(host=self.provisioner.host, id__in=database_ids)
            try:
                found = await asyncio.gather(
                    *(self.provisioner.container_of(row.id) for row in rows)
                )
            except RuntimeFailure as exc:
                await self._runtime_unreachable(exc)
                return
            self._runtime_reachable()
            await self._converge(rows, {row.id: c for row, c in zip(rows, found, strict=True)})
        except Exception:
            log.exception("controller sweep failed; retrying at the next one")

    async def _needing_a_look(
        self, by_database: Mapping[str | None, ContainerInfo | None]
    ) -> list[Database]:
        """The rows a full sweep has something to do for, read whole; the rest (most of a
        full host: running, their container running, answered lately) only as a few columns,
        so a sweep's cost stays small as the host fills."""
        host = self.provisioner.host
        now = datetime.now(UTC)
        states = await Database.filter(host=host).values_list(
            "id", "status", "desired_status", "locked_by", "lock_expires_at"
        )
        needing = [
            database_id
            for database_id, status, desired, locked_by, expires_at in states
            if not _lock_live(locked_by, expires_at, now)
            and not self._settled(database_id, status, desired, by_database.get(database_id))
        ]
        if len(needing) * 2 > len(states):  # after a start most need a probe: read them all
            return await Database.filter(host=host)
        return await Database.filter(id__in=needing) if needing else []

    def _settled(
        self, database_id: str, status: str, desired: str, container: ContainerInfo | None
    ) -> bool:
        """Running as asked, its container running and its engine answered lately; or
        stopped as asked with its container not running: `_converge` has nothing to do."""
        if status == desired == lifecycle.RUNNING:
            return (
                container is not None
                and container.running
                and self.provisioner.current(container)
                and self._answered_within(database_id)
            )
        if status == desired == lifecycle.STOPPED:
            return container is None or container.status not in ("running", "paused")
        return False

    def _runtime_reachable(self) -> None:
        if self._runtime_was_down:
            log.warning("container runtime reachable again: bringing databases back")
            self._runtime_was_down = False
            self.backoff.clear()

    async def _settle_abandoned_operations(self) -> None:
        now = datetime.now(UTC)
        for operation in await Operation.filter(status=operations.RUNNING):
            if not operations.is_abandoned(operation, now):
                continue
            log.warning("operation %s (%s) was abandoned by %s", operation.id, operation.kind,
                        operation.owner)  # fmt: skip
            operation.status = operations.FAILED
            operation.error = "interrupted: the process running it stopped before it finished"
            operation.finished_at = now
            await operation.save(update_fields=["status", "error", "finished_at"])
            await Database.filter(locked_by=operation.id).update(
                locked_by=None, lock_expires_at=None
            )

    async def settle_interrupted_work(self) -> None:
        """Before serving: operations of dead processes end, their half-made creations are
        rolled back and their deletions completed, so no request meets their leftovers.
        Bringing databases back is left to the sweeps, which start right after."""
        try:
            await self._settle_abandoned_operations()
            now = datetime.now(UTC)
            for row in await Database.filter(
                host=self.provisioner.host, status__in=[lifecycle.CREATING, lifecycle.DELETING]
            ):
                if not _locked(row, now):
                    await self._finish_interrupted(row)
        except Exception:
            log.exception("settling interrupted work failed; the sweeps will retry")

    async def _converge(
        self, rows: list[Database], by_database: Mapping[str | None, ContainerInfo | None]
    ) -> None:
        now = datetime.now(UTC)
        work = []
        for row in rows:
            if _locked(row, now):
                continue
            if row.status in (lifecycle.CREATING, lifecycle.DELETING):
                if self.backoff.due(row.id):
                    work.append(self._finish_interrupted(row))
            elif row.desired_status == lifecycle.RUNNING and row.status in (
                lifecycle.RUNNING,
                lifecycle.FAILED,
            ):
                work.append(self._keep_running(row, by_database.get(row.id)))
            elif row.status == lifecycle.STOPPED and row.desired_status == lifecycle.STOPPED:
                work.append(self._keep_stopped(row, by_database.get(row.id)))
        limit = asyncio.Semaphore(HEAL_CONCURRENCY)

        async def bounded(step: Coroutine[None, None, None]) -> None:
            async with limit:
                await step

        await asyncio.gather(*(bounded(step) for step in work))

    async def _finish_interrupted(self, row: Database) -> None:
        """A creation whose process died is rolled back; a deletion (interrupted, or one whose
        request failed) is completed. A deletion that fails again stays `deleting`, its error
        said, and is tried again with back-off: what the user deleted never comes back."""
        what = "creation" if row.status == lifecycle.CREATING else "deletion"
        try:
            log.warning("finishing the interrupted %s of %s", what, row.id)
            await self.databases.remove_everything(row)
            await self.databases.drop_snapshot_made_for(row)
            self.backoff.succeeded(row.id)
        except Exception as exc:
            log.error("could not finish the interrupted %s of %s: %s", what, row.id, exc)
            self.backoff.failed(row.id)
            if row.status == lifecycle.CREATING:
                cause, message = (
                    "unsettled",
                    "the interrupted creation could not be finished; delete it to retry",
                )
            else:
                cause, message = "deleting", DELETION_RETRIED
            with contextlib.suppress(Exception):
                await self.databases.change(row, cause, error=message)

    async def _keep_running(self, row: Database, container: ContainerInfo | None) -> None:
        if container is not None and container.status == "removing":
            container = None  # on its way out: make a new one
        if container is not None and not self.provisioner.current(container):
            log.warning("%s has a container of an older StagDB: making it again", row.id)
            await self._bring_back(
                row, container, "its container predates the connection front or confinement"
            )
            return
        if container is not None and container.status == "paused":
            # Frozen for a snapshot by a process that died before thawing it.
            log.warning("thawing %s, left frozen by an interrupted snapshot", row.id)
            await self.provisioner.thaw(container.id)
            return
        if container is not None and container.running:
            if self._answered_lately(row):
                return
            if await self._answers(row):
                self._answered_at[row.id] = time.monotonic()
                self._silent.discard(row.id)
                if row.status == lifecycle.FAILED:
                    await self._mark(row, "recovered", "the engine answers again")
                self.backoff.succeeded(row.id)
                return
            if row.id not in self._silent:
                self._silent.add(row.id)  # one sweep's grace: it may be busy or restarting
                return
            if row.status == lifecycle.RUNNING:
                await self._mark(row, "lost", "the engine does not answer")
            return
        self._silent.discard(row.id)
        self._answered_at.pop(row.id, None)
        if row.status == lifecycle.FAILED and not self.backoff.due(row.id):
            return
        # The listing is older than the row: a create or branch may have made or started the
        # container since (listed mid-start, or not listed at all). Look at it as it is now.
        now = await (
            self.provisioner.container_now(container.id)
            if container is not None
            else self.provisioner.container_of(row.id)
        )
        if now is not None and now.running and self.provisioner.current(now):
            return
        await self._bring_back(row, None if now is None or now.status == "removing" else now)

    async def _keep_stopped(self, row: Database, container: ContainerInfo | None) -> None:
        """A stopped database whose container runs (a start cut short, or someone's `docker
        start`) is stopped again: the status must stay true."""
        if not _runs(container):
            return
        # The listing is older than the row: a stop that finished since listed it running, and
        # taking the lock on that word alone would refuse the user's next start as busy.
        container = await self.provisioner.container_now(container.id)
        if not _runs(container):
            return
        log.warning("database %s is stopped but its container runs: stopping it", row.id)
        try:
            async with operations.locked_operation("database.stop", row):
                if row.status == lifecycle.STOPPED:
                    if container.status == "paused":
                        await self.provisioner.thaw(container.id)
                    await self.databases.guard(
                        self.provisioner.stop_container(container.id, row.id)
                    )
        except StagError as exc:
            log.warning("could not stop %s: %s", row.id, exc.message)

    async def _bring_back(
        self, row: Database, container: ContainerInfo | None, reason: str | None = None
    ) -> None:
        reason = reason or describe_loss(container)
        log.warning("database %s is down (%s): bringing it back", row.id, reason)
        try:
            async with operations.locked_operation("database.recover", row):
                if row.desired_status != lifecycle.RUNNING or row.status not in (
                    lifecycle.RUNNING,
                    lifecycle.FAILED,
                ):
                    return  # a user's operation changed it meanwhile
                row.container_id = await self.databases.guard(
                    self.provisioner.bring_up(
                        self.databases.placement(row),
                        container.id if container else row.container_id,
                        row.password,
                    )
                )
                await self.databases.change(
                    row, "recovered", ["container_id"], reason=f"brought back after {reason}"
                )
        except StagError as exc:
            if exc.code == "RESOURCE_BUSY":
                return  # a user's operation holds it; look again at the next sweep
            self.backoff.failed(row.id)
            await self._mark(row, "lost", f"{reason}; bringing it back failed: {exc.message}")
            return
        self.backoff.succeeded(row.id)
        log.warning("database %s is back", row.id)

    async def _mark(self, row: Database, cause: str, reason: str) -> None:
        """Record what the controller saw, unless the status already says it."""
        await row.refresh_from_db()
        if cause == "lost" and row.status == lifecycle.FAILED:
            if row.error != reason:
                row.error = reason
                await row.save(update_fields=["error", "updated_at"])
            return
        if row.status not in (lifecycle.RUNNING, lifecycle.FAILED) or row.locked_by:
            return
        if cause == "recovered":
            await self.databases.change(row, cause, reason=reason)
        else:
            await self.databases.change(row, cause, error=reason)

    def _answered_lately(self, row: Database) -> bool:
        """A running database whose engine answered within PROBE_EVERY_S is not probed
        again: its container running is enough until then."""
        return row.status == lifecycle.RUNNING and self._answered_within(row.id)

    def _answered_within(self, database_id: str) -> bool:
        answered = self._answered_at.get(database_id)
        return answered is not None and time.monotonic() - answered < PROBE_EVERY_S

    async def _answers(self, row: Database) -> bool:
        if row.port is None:
            return False
        host, port = self.provisioner.client_address(row.port)
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), timeout=PROBE_TIMEOUT_S
            )
        except (OSError, TimeoutError):
            return False
        writer.close()
        with contextlib.suppress(OSError, ConnectionError):
            await writer.wait_closed()
        return True

    async def _runtime_unreachable(self, failure: RuntimeFailure) -> None:
        """With the engine unreachable nothing can be healed; report the databases that
        stopped answering, so the API does not call them running."""
        if not self._runtime_was_down:
            log.error("container runtime unreachable: %s", failure)
        self._runtime_was_down = True
        now = datetime.now(UTC)
        for row in await Database.filter(host=self.provisioner.host, status=lifecycle.RUNNING):
            if not _locked(row, now) and not await self._answers(row):
                await self._mark(row, "lost", RUNTIME_DOWN)

    async def _remove_orphans(self, containers: list[ContainerInfo]) -> None:
        """Remove containers, volumes and port claims this install made that no record or
        running operation accounts for.

        What exists is listed before the metadata is read: an operation holds its database's
        lock (or is recorded as running) from before it makes anything until after it has
        recorded it, so whatever it made before a listing shows in a later read as busy or
        recorded. Read the other way round, a snapshot taken between the two was destroyed
        as an orphan as it was being recorded. The same goes for spare volumes (see
        SpareVolumes): a create records its database before it unmarks the spare it took."""
        host = self.provisioner.host
        volumes = await self.provisioner.volumes()
        snapshots = await self.provisioner.snapshots()
        claims = await self.provisioner.port_claims_of_this_install()
        spares = await self.provisioner.spares.held()  # before the records: see SpareVolumes
        rows = await Database.filter(host=host).values_list("id", "volume", "locked_by")
        known = {database_id for database_id, _, _ in rows}
        busy = {database_id for database_id, _, locked_by in rows if locked_by}
        busy |= set(
            await Operation.filter(status=operations.RUNNING, database_id__not_isnull=True)
            .values_list("database_id", flat=True)
        )  # fmt: skip
        known_volumes = {volume for _, volume, _ in rows}
        known_volumes |= set(
            await Snapshot.filter(database__host=host).values_list("volume", flat=True)
        )
        remaining: list[ContainerInfo] = []
        for container in containers:
            owner = self.provisioner.database_of(container)
            # A container without a database is a tool's run, a scratch server, a template's
            # init run or a warm engine no database has taken.
            tool_owner = container.labels.get(TOOL_OWNER_LABEL)
            if tool_owner is not None and not owner:
                # A tool's run (a source probe, an import) is removed by the process that
                # started it, which reads its output first; here only once that process ended.
                orphaned = operations.owner_is_gone(tool_owner)
            elif owner:
                orphaned = owner not in known and owner not in busy
            elif is_scratch(container):  # gone once its lifetime has passed, running or not
                orphaned = scratch_expired(container, time.time())
            else:  # a template's init run made before they carried their owner
                orphaned = not container.running
            if orphaned:
                log.warning("removing orphan container %s", container.name)
                with contextlib.suppress(RuntimeFailure):
                    await self.provisioner.remove_by_id(container.id)
                    continue
            remaining.append(container)
        if self.provisioner.warm is not None:  # before volumes: a bound one cannot go
            await self.provisioner.warm.remove_leftovers(remaining, busy)
        for volume in volumes:
            database_id = volume[: len("db-") + ID_LENGTH]
            if (
                volume.startswith("db-")
                and volume not in known_volumes
                and database_id not in busy
                and volume not in spares
            ):
                log.warning("destroying orphan volume %s", volume)
                try:
                    await self.provisioner.destroy_volume(volume)
                except Exception as exc:
                    log.error("could not destroy orphan volume %s: %s", volume, exc)
        await self.provisioner.spares.drop_stale()  # their volumes went above, or are recorded
        known_snapshots = set(
            await Snapshot.filter(database__host=host).values_list("id", flat=True)
        )
        # A volume is named after the database that made it; a promoted parent runs on its
        # branch's, so the records say whose it is now.
        holders = {volume: database_id for database_id, volume, _ in rows}
        for volume, snapshot in snapshots:
            database_id = holders.get(volume, volume[: len("db-") + ID_LENGTH])
            if (
                snapshot.startswith("snap-")
                and snapshot not in known_snapshots
                and (database_id not in busy)
            ):
                log.warning("destroying orphan snapshot %s@%s", volume, snapshot)
                try:
                    await self.provisioner.destroy_snapshot(volume, snapshot)
                except Exception as exc:
                    log.error("could not destroy orphan snapshot %s: %s", snapshot, exc)
        for claim in claims:
            if claim.database_id not in known and claim.database_id not in busy:
                await self.provisioner.release_port_of(claim.port, claim.database_id)


def _locked(row: Database, now: datetime) -> bool:
    return _lock_live(row.locked_by, row.lock_expires_at, now)


def _lock_live(locked_by: str | None, expires_at: datetime | None, now: datetime) -> bool:
    return locked_by is not None and expires_at is not None and expires_at > now


def _runs(container: ContainerInfo | None) -> TypeGuard[ContainerInfo]:
    """Whether a container runs its engine (paused counts: it holds the data)."""
    return container is not None and container.status in ("running", "paused")
