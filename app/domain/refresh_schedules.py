"""A database's refresh schedule: how often it is imported again from its source, and the
source credentials kept (sealed) only while a schedule needs them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.domain.durations import format_duration, parse_duration
from app.domain.sources import Source
from app.errors import ValidationError

MIN_REFRESH_EVERY_S = 60


@dataclass(frozen=True)
class RefreshChange:
    """What an update writes to set, change or clear a database's refresh schedule."""

    columns: Mapping[str, object]


def refresh_every(value: object) -> int | None:
    """A `refresh_schedule` ({"every": "<duration>"}, or null) in seconds."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"every"}:
        raise ValidationError('refresh_schedule must be {"every": "<duration>"} or null')
    every_s = parse_duration(value["every"], "refresh_schedule.every")
    if every_s < MIN_REFRESH_EVERY_S:
        raise ValidationError(
            f"refresh_schedule.every must be at least {format_duration(MIN_REFRESH_EVERY_S)}"
        )
    return every_s


def remembered(source: Source, every_s: int | None) -> dict[str, object]:
    """Where a database's data came from; its credentials only while a schedule needs them."""
    return {
        "source_options": {"uri": source.shown, **recorded(source)},
        "source_uri": source.uri if every_s is not None else None,
        "refresh_every_s": every_s,
    }


def recorded(source: Source) -> dict[str, object]:
    """The source's options as its operation keeps them (names only, no credentials)."""
    what = source.what
    chosen = {
        "schemas": list(what.schemas),
        "exclude_schemas": list(what.exclude_schemas),
        "tables": list(what.tables),
        "exclude_tables": list(what.exclude_tables),
    }
    return {name: value for name, value in chosen.items() if value} | (
        {"schema_only": True} if what.schema_only else {}
    )
