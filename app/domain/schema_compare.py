"""Schemas as comparable data, read from an engine's JSON lines, and what differs between two.

Each engine's schema query prints one JSON object a line, with a `kind`:
`table` (name), `column` (table, name, type, nullable, default), `index` and `constraint`
(table, name, definition), `view` (name, definition) and `function` (name, routine,
definition). Indexes and constraints are told apart by table and name together.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from app.engines.base import SchemaObjects

OBJECT_KINDS = {
    "index": "indexes",
    "constraint": "constraints",
    "view": "views",
    "function": "functions",
}


class SchemaUnreadable(ValueError):
    """The engine's answer is not the schema (a message from it, a changed format)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool
    default: str | None


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[Column]


@dataclass(frozen=True)
class SchemaObject:
    name: str
    table: str | None
    definition: str


@dataclass
class Schema:
    tables: dict[str, Table] = field(default_factory=dict)
    objects: dict[str, dict[tuple[str, str], SchemaObject]] = field(
        default_factory=lambda: {plural: {} for plural in OBJECT_KINDS.values()}
    )
    routines: list[tuple[str, str]] = field(default_factory=list)  # (FUNCTION|PROCEDURE, name)

    def dump_objects(self) -> SchemaObjects:
        return SchemaObjects(
            tables=tuple(sorted(self.tables)),
            views=tuple(sorted(name for _, name in self.objects["views"])),
            routines=tuple(sorted(self.routines)),
        )


def parse_schema(output: str) -> Schema:
    """The schema printed by an engine's schema query (lines that are not JSON objects, such
    as warnings, are passed over)."""
    schema = Schema()
    columns: dict[str, list[Column]] = {}
    try:
        for line in output.splitlines():
            if not line.startswith("{"):
                continue
            row = json.loads(line)
            kind = row["kind"]
            if kind == "table":
                columns.setdefault(row["name"], [])
            elif kind == "column":
                column = Column(row["name"], row["type"], bool(row["nullable"]), row["default"])
                columns.setdefault(row["table"], []).append(column)
            elif kind in OBJECT_KINDS:
                item = SchemaObject(row["name"], row.get("table"), row["definition"] or "")
                schema.objects[OBJECT_KINDS[kind]][(item.table or "", item.name)] = item
                if kind == "function":
                    schema.routines.append((row["routine"], row["name"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise SchemaUnreadable(f"unexpected schema line: {exc}") from exc
    schema.tables = {name: Table(name, cols) for name, cols in sorted(columns.items())}
    return schema


@dataclass(frozen=True)
class ColumnChange:
    name: str
    before: Column
    after: Column


@dataclass(frozen=True)
class ColumnChanges:
    added: list[Column]
    removed: list[Column]
    changed: list[ColumnChange]


@dataclass(frozen=True)
class TableChange:
    name: str
    columns: ColumnChanges


@dataclass(frozen=True)
class TableChanges:
    added: list[Table]
    removed: list[Table]
    changed: list[TableChange]


@dataclass(frozen=True)
class ObjectChange:
    name: str
    table: str | None
    before: str
    after: str


@dataclass(frozen=True)
class ObjectChanges:
    added: list[SchemaObject]
    removed: list[SchemaObject]
    changed: list[ObjectChange]


@dataclass(frozen=True)
class SchemaChanges:
    """What `after` has that `before` had not (added), the reverse (removed), and what both
    have in different forms (changed)."""

    tables: TableChanges
    indexes: ObjectChanges
    constraints: ObjectChanges
    views: ObjectChanges
    functions: ObjectChanges

    @property
    def identical(self) -> bool:
        groups = (self.tables, self.indexes, self.constraints, self.views, self.functions)
        return not any(group.added or group.removed or group.changed for group in groups)


def compare(before: Schema, after: Schema) -> SchemaChanges:
    def objects(plural: str) -> ObjectChanges:
        return _compare_objects(before.objects[plural], after.objects[plural])

    return SchemaChanges(
        tables=_compare_tables(before.tables, after.tables),
        indexes=objects("indexes"),
        constraints=objects("constraints"),
        views=objects("views"),
        functions=objects("functions"),
    )


def _compare_tables(before: dict[str, Table], after: dict[str, Table]) -> TableChanges:
    changed = []
    for name in sorted(before.keys() & after.keys()):
        columns = _compare_columns(before[name].columns, after[name].columns)
        if columns.added or columns.removed or columns.changed:
            changed.append(TableChange(name, columns))
    return TableChanges(
        added=[after[name] for name in sorted(after.keys() - before.keys())],
        removed=[before[name] for name in sorted(before.keys() - after.keys())],
        changed=changed,
    )


def _compare_columns(before: list[Column], after: list[Column]) -> ColumnChanges:
    old = {column.name: column for column in before}
    new = {column.name: column for column in after}
    return ColumnChanges(
        added=[column for column in after if column.name not in old],
        removed=[column for column in before if column.name not in new],
        changed=[
            ColumnChange(column.name, old[column.name], column)
            for column in after
            if column.name in old and old[column.name] != column
        ],
    )


def _compare_objects(
    before: dict[tuple[str, str], SchemaObject], after: dict[tuple[str, str], SchemaObject]
) -> ObjectChanges:
    both = sorted(before.keys() & after.keys())
    return ObjectChanges(
        added=[after[key] for key in sorted(after.keys() - before.keys())],
        removed=[before[key] for key in sorted(before.keys() - after.keys())],
        changed=[
            ObjectChange(after[key].name, after[key].table, before[key].definition,
                         after[key].definition)
            for key in both
            if before[key].definition != after[key].definition
        ],
    )  # fmt: skip


def unified_diff(before: str, after: str, before_label: str, after_label: str) -> str:
    """A unified diff of two schema dumps ("" when they are the same)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=before_label,
        tofile=after_label,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def tidy_dump(text: str) -> str:
    """A dump with trailing spaces and runs of blank lines taken out, so only schema differs."""
    kept: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip() + "\n"
