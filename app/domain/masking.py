"""MaskingService: applies a database's masking rules inside one of its copies (a branch,
an import) before that copy becomes `running` (rules: see masking_rules.py)."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.databases import DatabaseService
from app.engines.masking import MaskRule
from app.engines.source_tools import last_error_line
from app.errors import ValidationError
from app.models import Database


class MaskingService:
    def __init__(self, databases: DatabaseService) -> None:
        self.databases = databases

    async def apply(self, target: Database, rules: Sequence[MaskRule], key: str) -> None:
        """Mask `target`'s running engine in place, then compact what was rewritten; a rule
        the data does not fit (no such table, a column of another type) fails with the
        engine's error."""
        engine = self.databases.catalog.engine(target.engine)
        if engine.masking is None:
            raise ValidationError(f"Masking is not available for {engine.name}")
        if target.container_id is None:
            raise ValidationError(f"Database '{target.name}' is not running: it cannot be masked")
        if target.port is None:
            raise ValidationError(f"Database '{target.name}' has no port: it cannot be masked")
        listen = self.databases.provisioner.listen(engine, target.port)
        script = engine.masking.script(rules, key)
        command = engine.masking.command(script, listen.port, target.database_name)
        result = await self.databases.guard(
            self.databases.provisioner.run_in(target.container_id, engine, command)
        )
        if result.exit_code != 0:
            raise ValidationError(f"Masking failed: {last_error_line(result.output)}")
        target.masked = True
