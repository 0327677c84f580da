"""How an engine's schema is read for a schema diff: a query that prints it as JSON lines
(their form is in app/domain/schema_compare.py), and a dump of the objects it found, as text
to diff. Engines without one (`Engine.schema_reader` is None) offer no schema diff."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.engines.base import Listen, SchemaObjects


class SchemaReader(ABC):
    @abstractmethod
    def query_command(self, listen: Listen, database: str) -> list[str]:
        """Prints the schema of `database` as JSON lines, one object a line."""

    @abstractmethod
    def dump_command(self, listen: Listen, database: str, objects: SchemaObjects) -> list[str]:
        """Prints the definitions of `objects` (read first by the query) as text to diff."""

    def dump_text(self, output: str) -> str:
        """The dump command's output as the text to diff (volatile parts taken out)."""
        return output
