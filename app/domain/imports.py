"""ImportService: a new database filled from an existing server (a source) with the engine's
own tools: the source is probed first (reachable, the login accepted, the right engine, not a
newer version), then a new database is made and the source copied into it before it runs.

Source credentials live only in the tool containers' environment while they run: never in
logs, operations or answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from app.domain import operations
from app.domain.databases import CreateDatabase, DatabaseService, UpdateDatabase
from app.domain.masking import MaskingService
from app.domain.masking_rules import rules_of
from app.domain.refresh_schedules import RefreshChange, recorded, refresh_every, remembered
from app.domain.sources import Source, parse_source
from app.domain.views import DatabaseView
from app.drivers.runtime.base import Mount
from app.engines import Engine
from app.engines.source_tools import (
    SCRATCH,
    Progress,
    SourceFacts,
    SourceRefused,
    SourceTool,
)
from app.errors import ValidationError
from app.models import Database, Operation

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 30.0
PROGRESS_POLL_S = 1.0


class ImportService:
    def __init__(self, databases: DatabaseService, jobs: int, masking: MaskingService) -> None:
        self.databases = databases
        self.masking = masking
        self.provisioner = databases.provisioner
        self.jobs = jobs

    async def create(
        self, request: CreateDatabase, source_spec: object, refresh_schedule: object = None
    ) -> DatabaseView:
        """A new database holding a copy of the source; `creating` until the data is in.
        With `refresh_schedule` ({"every": "1d"}) it is refreshed from the source on that
        rhythm, and the source's URI is kept, sealed, for it."""
        engine = self.databases.catalog.engine(request.type)
        source = parse_source(source_spec, engine.name, engine.importer)
        every_s = refresh_every(refresh_schedule)
        new, template = await self.databases.plan(request)
        facts = await self.probe(engine, new.version, source)
        new = replace(new, options={"source": source.shown, **recorded(source)})
        async with (
            self.provisioner.spares.taking(template) as spare,
            self.databases.creation(new, "database.import", spare) as creation,
        ):
            row = creation.row
            await creation.fill_from_template(template)
            await creation.start()
            await self.copy_into(row, creation.operation, engine, source, facts)
            await self.mask(row)
            remember(row, source, every_s)
            await row.save(
                update_fields=["source_options", "source_uri", "refresh_every_s", "masked"]
            )
        return creation.result()

    async def mask(self, row: Database) -> None:
        """An imported database with masking rules is masked before anyone sees its data."""
        if row.masking_rules and row.masking_key is not None:
            await self.masking.apply(row, rules_of(row), row.masking_key)

    async def source_of(self, row: Database, source_spec: object) -> Source:
        """The source a refresh reads: the one given, or the one kept for its schedule."""
        engine = self.databases.catalog.engine(row.engine)
        if source_spec is not None:
            return parse_source(source_spec, engine.name, engine.importer)
        if row.source_uri is None:
            raise ValidationError(
                f"Database '{row.name}' keeps no source credentials (they are kept only with a "
                'refresh_schedule): pass "source": {"uri": ...} to refresh it'
            )
        kept = {k: v for k, v in (row.source_options or {}).items() if k != "uri"}
        return parse_source({**kept, "uri": row.source_uri}, engine.name, engine.importer)

    async def update(
        self, ref: str, request: UpdateDatabase, schedule: Mapping[str, object]
    ) -> DatabaseView:
        """A database's update, with its refresh schedule when `schedule` names one
        (`refresh_schedule`, and `source` with it): checked before anything changes."""
        if schedule:
            change = await self.refresh_change(
                ref, schedule.get("refresh_schedule"), schedule.get("source")
            )
            request = replace(request, refresh=change)
        return await self.databases.update(ref, request)

    async def refresh_change(
        self, ref: str, schedule: object, source_spec: object
    ) -> RefreshChange:
        """What an update of `refresh_schedule` (with `source`, when the database keeps no
        credentials or should read from another server) writes; checked, nothing written."""
        row = await self.databases.find(ref)
        every_s = refresh_every(schedule)
        if every_s is None:
            if source_spec is not None:
                raise ValidationError('"source" on update goes with a refresh_schedule')
            return RefreshChange({"refresh_every_s": None, "source_uri": None})
        if source_spec is None:
            if row.source_uri is None:
                raise ValidationError(
                    f"Database '{row.name}' keeps no source credentials to refresh from: "
                    'send "source": {"uri": ...} with the refresh_schedule'
                )
            return RefreshChange({"refresh_every_s": every_s})
        engine = self.databases.catalog.engine(row.engine)
        source = parse_source(source_spec, engine.name, engine.importer)
        await self.probe(engine, row.version, source)
        return RefreshChange(remembered(source, every_s))

    async def probe(self, engine: Engine, version: str, source: Source) -> SourceFacts:
        """Log in to the source with the engine's own client: a clear VALIDATION_ERROR when
        it cannot be used, before anything is made."""
        tool = _tool(engine)
        spec = self.provisioner.tool_spec(
            "probe", self._image(engine, version), tool.probe_command(),
            source.environment(), engine.run_as, operations.THIS_PROCESS,
        )  # fmt: skip
        result = await self.databases.guard(self.provisioner.run_tool(spec, PROBE_TIMEOUT_S))
        output = _scrub(result.output, source)
        if result.exit_code != 0:
            raise ValidationError(tool.explain(output, source.where))
        try:
            facts = tool.parse_probe(output)
        except SourceRefused as exc:
            raise ValidationError(f"The source at {source.where} {exc}") from None
        if facts.newer_than(version):
            shown = ".".join(str(part) for part in facts.version)
            raise ValidationError(
                f"The source at {source.where} runs {engine.name} {shown}, newer than this "
                f"database's {version}: its dump cannot be restored here; choose version {shown}"
            )
        return facts

    async def copy_into(
        self, row: Database, operation: Operation, engine: Engine, source: Source,
        facts: SourceFacts,
    ) -> None:  # fmt: skip
        """Dump the source and restore it into `row`'s running engine, in one tool container
        working in a scratch volume of the pool; both go once it ends."""
        tool = _tool(engine)
        if row.port is None:
            raise ValidationError("the new database has no port")
        host, port = self.provisioner.client_address(row.port)
        environment = source.environment() | {
            "DST_HOST": host,
            "DST_PORT": str(port),
            "DST_USER": row.username,
            "DST_PASSWORD": row.password,
            "DST_DB": row.database_name,
            "JOBS": str(self.jobs),
        }
        scratch_volume = f"{row.id}-import"  # named for its database: sweeps know whose it is
        scratch = await self.databases.guard(self.provisioner.scratch(engine, scratch_volume))
        spec = self.provisioner.tool_spec(
            "import", self._image(engine, row.version), tool.import_command(source.what),
            environment, engine.run_as, operations.THIS_PROCESS,
            mounts=[Mount(str(scratch), SCRATCH)], database_id=row.id,
        )  # fmt: skip
        container = await self.databases.guard(self.provisioner.start_tool(spec))
        try:
            exit_code, output = await self._follow(container, operation, tool, scratch, facts)
            if exit_code != 0:
                raise ValidationError(
                    "The import failed: " + tool.explain(_scrub(output, source), source.where)
                )
        finally:
            await self.databases.guard(self.provisioner.remove_by_id(container))
            await self.databases.guard(self.provisioner.destroy_volume(scratch_volume))

    async def _follow(
        self, container: str, operation: Operation, tool: SourceTool, scratch: Path,
        facts: SourceFacts,
    ) -> tuple[int, str]:  # fmt: skip
        """Wait for the import to end, recording its progress; answers its exit code and
        its output."""
        reported = None
        while True:
            state = await self.databases.guard(self.provisioner.tool_state(container))
            output = await self.databases.guard(self.provisioner.tool_output(container))
            progress = await asyncio.to_thread(tool.progress, output, scratch, facts.size_bytes)
            ended = state.status in ("exited", "dead")
            exit_code = state.exit_code if state.exit_code is not None else 1
            if ended and exit_code == 0 and progress.total is not None:
                progress = replace(progress, done=progress.total)
            if progress != reported:
                reported = progress
                await operations.report_progress(operation, _figures(progress))
            if ended:
                return exit_code, output
            await asyncio.sleep(PROGRESS_POLL_S)

    def _image(self, engine: Engine, version: str) -> str:
        return self.databases.catalog.image(engine, version)


def _tool(engine: Engine) -> SourceTool:
    if engine.importer is None:
        raise ValidationError(f"Importing from a source is not available for {engine.name}")
    return engine.importer


def _figures(progress: Progress) -> dict[str, object]:
    """Progress as operations show it: bytes or objects done of their total."""
    return {
        "phase": progress.phase,
        f"{progress.unit}_done": progress.done,
        f"{progress.unit}_total": progress.total,
    }


def remember(row: Database, source: Source, every_s: int | None) -> None:
    """Keep where `row`'s data came from; its credentials only while a schedule needs them."""
    for column, value in remembered(source, every_s).items():
        setattr(row, column, value)


def _scrub(output: str, source: Source) -> str:
    """Tool output with the source's password removed, should a tool ever echo it."""
    return output.replace(source.password, "***") if source.password else output
