"""RefreshService: an imported database filled again from its source, keeping its id, name,
URI, password and port. The source is copied into a new volume that then replaces the old
one; the old data stays as a snapshot (`pre-refresh-<time>`), so branches made before keep
theirs and the database can be reset to it. While the copy runs the database is served by
its new volume (clients reconnect to the same address); on failure the old volume comes back.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from app.domain import lifecycle, operations, tenancy
from app.domain.databases import DatabaseService, refuse_if_protected
from app.domain.imports import ImportService, remember
from app.domain.rollback import Rollback
from app.domain.snapshots import SnapshotService
from app.domain.sources import Source
from app.domain.views import DatabaseView
from app.engines.source_tools import SourceFacts
from app.errors import ResourceBusyError, StagError, ValidationError
from app.models import Database, Operation


class RefreshService:
    def __init__(
        self, databases: DatabaseService, snapshots: SnapshotService, imports: ImportService
    ) -> None:
        self.databases = databases
        self.snapshots = snapshots
        self.imports = imports
        self.provisioner = databases.provisioner

    async def refresh(self, ref: str, source_spec: object = None) -> DatabaseView:
        """Refresh from `source_spec` when given (it becomes the database's source), else
        from the source kept for its refresh schedule."""
        row = await self.databases.find(ref)
        if row.source_options is None and source_spec is None:
            raise ValidationError(
                f"Database '{row.name}' was not imported: pass \"source\" to refresh it from one"
            )
        self._refusable(row)
        source = await self.imports.source_of(row, source_spec)
        engine = self.databases.catalog.engine(row.engine)
        facts = await self.imports.probe(engine, row.version, source)
        options: dict[str, object] = {"source": source.shown}
        async with operations.locked_operation("database.refresh", row) as operation:
            operation.options = options
            await operation.save(update_fields=["options"])
            self._refusable(row)
            now = datetime.now(UTC)
            stamp = now.strftime("%Y%m%d-%H%M%S")
            snapshot = await self.snapshots.take(
                row, f"pre-refresh-{stamp}", f"Data before the refresh of {now.isoformat()}"
            )
            try:
                await self._replace(row, operation, source, facts)
            except BaseException:
                await self.databases.guard(
                    self.provisioner.destroy_snapshot(snapshot.volume, snapshot.id)
                )
                await snapshot.delete()
                raise
            if source_spec is not None:
                remember(row, source, row.refresh_every_s)
            await self.databases.change(
                row,
                "refreshed",
                ["volume", "container_id", "source_options", "source_uri", "masked"],
                reason=f"refreshed from {source.shown}; previous data in '{snapshot.name}'",
            )
        return self.databases.view(row)

    @staticmethod
    def _refusable(row: Database) -> None:
        if row.status not in lifecycle.CAN_RESET:
            raise ResourceBusyError(
                f"Database '{row.name}' is {row.status} and cannot be refreshed"
            )
        refuse_if_protected(row, (), "refreshed")

    async def _replace(
        self, row: Database, operation: Operation, source: Source, facts: SourceFacts
    ) -> None:
        """Run the database on a fresh volume filled from the source; on failure, put the
        old volume back as it was."""
        old_volume, new_volume = row.volume, f"{row.id}-{secrets.token_hex(3)}"
        was_running = row.status == lifecycle.RUNNING
        engine_ = self.databases.catalog.engine(row.engine)
        image = self.databases.catalog.image(engine_, row.version)
        guard = self.databases.guard
        template = await guard(self.provisioner.ensure_template(engine_, row.version, image))
        await guard(self.provisioner.remove_container(row.container_id, row.id))
        row.container_id = None
        try:
            await guard(self.provisioner.clone_template(template, new_volume))
            row.volume = new_volume
            await guard(self.provisioner.limit_disk(new_volume))
            placement = self.databases.placement(row)
            row.container_id = await guard(self.provisioner.run_container(placement))
            admin, password = self.provisioner.template_login(engine_, template) or (None, None)
            credentials = (row.username, row.password)
            await guard(
                self.provisioner.wait_ready(
                    row.container_id, placement, credentials, password, login_as=admin
                )
            )
            await self.imports.copy_into(row, operation, engine_, source, facts)
            await self.imports.mask(row)
        except BaseException:
            await self._restore(row, old_volume, new_volume, was_running)
            raise

    async def scheduled(self, row: Database) -> None:
        """A refresh its schedule asked for, from the source kept for it."""
        with tenancy.acting_as(tenancy.SYSTEM):
            await self.refresh(row.id)

    async def _restore(
        self, row: Database, old_volume: str, new_volume: str, was_running: bool
    ) -> None:
        rollback = Rollback()
        rollback.push("destroy new volume", lambda: self.provisioner.destroy_volume(new_volume))
        rollback.push(
            "remove new container", lambda: self.provisioner.remove_container(None, row.id)
        )
        await rollback.run()
        row.volume, row.container_id = old_volume, None
        if was_running:
            try:
                row.container_id = await self.databases.guard(
                    self.provisioner.bring_up(self.databases.placement(row), None, row.password)
                )
            except StagError as exc:
                await self.databases.change(
                    row, "refresh failed", ["volume", "container_id"], error=exc.message
                )
                return
        await row.save(update_fields=["volume", "container_id", "updated_at"])
