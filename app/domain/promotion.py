"""PromotionService: a branch's data becomes its parent's. The parent keeps its name, URI,
password and port, and its previous data as a snapshot `pre-promote-<time>`; the branch is
removed, or kept with a fresh copy-on-write copy of the promoted data.

No data is copied: the parent takes over the branch's volume. Every step before the parent's
record changes is undone, in reverse order, when a later one fails.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from app.domain import lifecycle, operations
from app.domain.databases import DatabaseService, refuse_if_protected
from app.domain.ids import new_id
from app.domain.rollback import Rollback
from app.domain.side_by_side import both
from app.domain.snapshots import READY, SnapshotService
from app.domain.views import DatabaseView
from app.errors import ResourceBusyError, ValidationError
from app.models import Database, Job, Snapshot

CAN_BE_PROMOTED = (lifecycle.RUNNING, lifecycle.STOPPED)


@dataclass(frozen=True)
class Promote:
    keep_branch: object = False


@dataclass
class Kept:
    """The fresh volume (and the snapshot it is cloned from) a kept branch moves to."""

    volume: str
    snapshot_id: str


class PromotionService:
    def __init__(self, databases: DatabaseService, snapshots: SnapshotService) -> None:
        self.databases = databases
        self.snapshots = snapshots
        self.provisioner = databases.provisioner

    async def promote(self, branch_ref: str, request: Promote) -> DatabaseView:
        """Make the branch's data its parent's; answers with the parent."""
        if not isinstance(request.keep_branch, bool):
            raise ValidationError("keep_branch must be true or false")
        keep = request.keep_branch
        branch = await self.databases.find(branch_ref)
        if branch.parent_id is None:
            raise ValidationError(
                f"Database '{branch.name}' is not a branch: only a branch can be promoted"
            )
        parent = await self.databases.find(branch.parent_id)
        await self._refuse(parent, branch, keep)
        await self.databases.guard(self.provisioner.require_free_space())
        async with (  # parent first, then branch: the order every lock pair is taken in
            operations.locked_operation("branch.promote", parent),
            operations.locked_operation("branch.promote", branch),
        ):
            await self._refuse(parent, branch, keep)  # again, as the locks found them
            await self._promote(parent, branch, keep)
        await self.databases.jobs.plan(parent)
        if keep:
            await self.databases.jobs.plan(branch)
        return self.databases.view(parent)

    async def _refuse(self, parent: Database, branch: Database, keep: bool) -> None:
        """Refuse, before any work, what promote cannot do without losing something."""
        if branch.parent_id != parent.id:
            raise ResourceBusyError(f"Database '{branch.name}' changed meanwhile; retry")
        if parent.status not in lifecycle.CAN_RESET:
            raise ResourceBusyError(
                f"Database '{parent.name}' is {parent.status} and cannot take a branch's data now"
            )
        if branch.status not in CAN_BE_PROMOTED:
            raise ResourceBusyError(
                f"Branch '{branch.name}' is {branch.status}; only a running or stopped branch "
                "can be promoted"
            )
        refuse_if_protected(parent, (), "replaced by a promoted branch")
        if not keep:
            refuse_if_protected(branch, (), "removed by its promotion (keep_branch keeps it)")
        # The parent takes the branch's volume: what hangs off that volume would change hands.
        own = await Snapshot.filter(database_id=branch.id).order_by("name")
        children = await Database.filter(parent_id=branch.id).order_by("name")
        if own or children:
            held = [f"snapshot '{s.name}'" for s in own] + [f"branch '{c.name}'" for c in children]
            raise ResourceBusyError(
                f"Branch '{branch.name}' has {', '.join(held)}; delete them before promoting it"
            )

    async def _promote(self, parent: Database, branch: Database, keep: bool) -> None:
        rollback = Rollback()
        try:
            branch_volume, branch_ran = branch.volume, branch.status == lifecycle.RUNNING
            parent_volume, parent_ran = parent.volume, parent.status == lifecycle.RUNNING
            # Pushed before the engines stop, side by side: one that fails midway comes back too.
            rollback.push(
                "bring the branch back",
                lambda: self._bring_back(branch, branch_volume, branch_ran),
            )
            rollback.push(
                "bring the parent back",
                lambda: self._bring_back(parent, parent_volume, parent_ran),
            )
            await both(self._take_down(branch), self._take_down(parent))
            kept = await self._copy_for_branch(branch, rollback) if keep else None
            # The parent's stopped data is kept while the parent starts on the branch's.
            _, parent.container_id = await both(
                self._keep_parent_data(parent, branch, rollback),
                self._serve(parent, branch_volume, branch.password, parent.status),
            )
            parent.volume = branch_volume
            if kept is not None:
                branch.container_id = await self._serve(
                    branch, kept.volume, branch.password, branch.status
                )
                branch.volume = kept.volume
            await self.databases.change(
                parent,
                "promoted",
                ["volume", "container_id"],
                reason=f"branch '{branch.name}' promoted",
            )
        except BaseException:
            await rollback.run()
            raise
        await self._settle(parent, branch, kept)

    async def _keep_parent_data(
        self, parent: Database, branch: Database, rollback: Rollback
    ) -> None:
        """The snapshot `pre-promote-<time>`, taken with the parent's engine stopped: it holds
        every write the parent ever accepted."""
        when = datetime.now(UTC)
        pre = await self.snapshots.take(
            parent,
            f"pre-promote-{when:%Y%m%d-%H%M%S}",
            f"Data of '{parent.name}' before branch '{branch.name}' was promoted",
        )
        rollback.push("drop the pre-promote snapshot", lambda: self._drop(pre))

    async def _take_down(self, row: Database) -> None:
        """Stop the engine cleanly (its volume is then whole on disk) and remove its container."""
        await self.databases.guard(self.provisioner.stop_container(row.container_id, row.id))
        await self.databases.guard(self.provisioner.remove_container(row.container_id, row.id))
        row.container_id = None

    async def _copy_for_branch(self, branch: Database, rollback: Rollback) -> Kept:
        """A copy-on-write copy of the branch's (stopped, whole) data for the kept branch."""
        kept = Kept(f"{branch.id}-{secrets.token_hex(3)}", new_id("snap"))
        source = branch.volume
        await self.databases.guard(self.provisioner.snapshot(source, kept.snapshot_id))
        rollback.push(
            "destroy the kept branch's snapshot",
            lambda: self.provisioner.destroy_snapshot(source, kept.snapshot_id),
        )
        await self.databases.guard(
            self.provisioner.clone_snapshot(source, kept.snapshot_id, kept.volume)
        )
        rollback.push("destroy the kept branch's volume", lambda: self._discard(branch, kept))
        return kept

    async def _discard(self, branch: Database, kept: Kept) -> None:
        await self.provisioner.remove_container(None, branch.id)  # it may run on the copy
        await self.provisioner.destroy_volume(kept.volume)

    async def _serve(self, row: Database, volume: str, data_password: str, status: str) -> str:
        """Run `row` on `volume` (whose data holds `data_password`) until it accepts its own
        password; then leave it as it was: running, or stopped again. Answers the container;
        `row` is left as it is (its volume is read meanwhile), the caller moves it over."""
        await self.databases.guard(self.provisioner.limit_disk(volume))
        placement = replace(self.databases.placement(row), volume=volume)
        container_id = await self.databases.guard(self.provisioner.run_container(placement))
        await self.databases.guard(
            self.provisioner.wait_ready(
                container_id, placement, (row.username, row.password), data_password
            )
        )
        if status == lifecycle.STOPPED:
            await self.databases.guard(self.provisioner.stop_container(container_id, row.id))
        return container_id

    async def _bring_back(self, row: Database, volume: str, was_running: bool) -> None:
        """Undo: `row` on its own volume again, running if it was."""
        await self.provisioner.remove_container(row.container_id, row.id)
        row.volume, row.container_id = volume, None
        if was_running:
            placement = self.databases.placement(row)
            row.container_id = await self.provisioner.bring_up(placement, None, row.password)
        await row.save(update_fields=["volume", "container_id", "updated_at"])

    async def _drop(self, snapshot: Snapshot) -> None:
        await self.provisioner.destroy_snapshot(snapshot.volume, snapshot.id)
        async with self.databases.event_log.change() as change:
            await snapshot.delete(using_db=change.connection)
            parent = await Database.get(id=snapshot.database_id)
            change.announce(
                self.databases.event("snapshot.deleted", parent, snapshot_id=snapshot.id)
            )

    async def _settle(self, parent: Database, branch: Database, kept: Kept | None) -> None:
        """The records after the swap: the snapshot the branch was cloned from now underlies
        the parent's data and stays; the branch moves to its copy, or goes."""
        await Snapshot.filter(id=branch.snapshot_id, created_for=branch.id).update(created_for=None)
        if kept is not None:
            await self._record_kept(parent, branch, kept)
            return
        await self.databases.change(branch, "deleting")
        async with self.databases.event_log.change() as change:
            await Job.filter(database_id=branch.id).using_db(change.connection).delete()
            await branch.delete(using_db=change.connection)
            gone = lifecycle.transition(lifecycle.DELETING, "branch deleted").event
            change.announce(self.databases.event(gone or "branch.deleted", branch, "deleted"))
        await self.provisioner.release_port(branch)

    async def _record_kept(self, parent: Database, branch: Database, kept: Kept) -> None:
        usage = await self.provisioner.snapshot_usage(parent.volume, kept.snapshot_id)
        async with self.databases.event_log.change() as change:
            await Snapshot.create(
                id=kept.snapshot_id,
                name=f"for-{kept.volume}",
                database_id=parent.id,
                description=f"Taken to keep branch '{branch.name}' after its promotion",
                status=READY,
                volume=parent.volume,
                created_for=branch.id,
                size_bytes=usage.logical_bytes,
                unique_bytes=usage.unique_bytes,
                using_db=change.connection,
            )
            change.announce(
                self.databases.event("snapshot.created", parent, snapshot_id=kept.snapshot_id)
            )
        branch.snapshot_id = kept.snapshot_id
        await self.databases.change(
            branch, "updated", ["volume", "container_id", "snapshot_id"], error=branch.error
        )
