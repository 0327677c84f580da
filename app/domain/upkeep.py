"""What a database asks to be done to it over time: expire at a moment, stay protected,
take snapshots on a schedule, stop when idle. Parsed from create and update requests (a field
left out keeps its value, `null` clears it) and stored as columns of the database's row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from app.domain.durations import format_duration, parse_duration
from app.domain.views import SnapshotScheduleView
from app.errors import ValidationError
from app.models import Database

UPKEEP_FIELDS = frozenset(
    {"ttl", "expires_at", "protected", "auto_stop_after", "snapshot_schedule"}
)
MAX_KEEP = 1000


@dataclass(frozen=True)
class SnapshotSchedule:
    every_s: int
    keep: int

    def view(self) -> SnapshotScheduleView:
        return SnapshotScheduleView(format_duration(self.every_s), self.keep)


@dataclass(frozen=True)
class Upkeep:
    expires_at: datetime | None = None
    protected: bool = False
    auto_stop_after_s: int | None = None
    schedule: SnapshotSchedule | None = None

    @classmethod
    def of(cls, row: Database) -> Upkeep:
        schedule = None
        if row.snapshot_every_s is not None and row.snapshot_keep is not None:
            schedule = SnapshotSchedule(row.snapshot_every_s, row.snapshot_keep)
        return cls(row.expires_at, row.protected, row.auto_stop_after_s, schedule)

    def columns(self) -> dict[str, object]:
        return {
            "expires_at": self.expires_at,
            "protected": self.protected,
            "auto_stop_after_s": self.auto_stop_after_s,
            "snapshot_every_s": self.schedule.every_s if self.schedule else None,
            "snapshot_keep": self.schedule.keep if self.schedule else None,
        }

    def changed(self, given: Mapping[str, object], now: datetime | None = None) -> Upkeep:
        """This upkeep with the fields of a request applied."""
        now = now or datetime.now(UTC)
        result = self
        if given.get("ttl") is not None and given.get("expires_at") is not None:
            raise ValidationError("Give ttl or expires_at, not both")
        if "ttl" in given:
            ttl = given["ttl"]
            expires = None if ttl is None else now + timedelta(seconds=parse_duration(ttl, "ttl"))
            result = replace(result, expires_at=expires)
        if "expires_at" in given and given.get("ttl") is None:
            result = replace(result, expires_at=parse_moment(given["expires_at"], now))
        if "protected" in given:
            if not isinstance(given["protected"], bool):
                raise ValidationError("protected must be true or false")
            result = replace(result, protected=given["protected"])
        if "auto_stop_after" in given:
            after = given["auto_stop_after"]
            seconds = None if after is None else parse_duration(after, "auto_stop_after")
            result = replace(result, auto_stop_after_s=seconds)
        if "snapshot_schedule" in given:
            result = replace(result, schedule=_schedule(given["snapshot_schedule"]))
        return result


def parse_moment(value: object, now: datetime) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("expires_at must be an RFC 3339 time such as 2026-12-01T12:00:00Z")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"expires_at must be an RFC 3339 time such as 2026-12-01T12:00:00Z, got {value!r}"
        ) from None
    if moment.tzinfo is None:
        raise ValidationError("expires_at must carry a time zone (Z or an offset)")
    if moment <= now:
        raise ValidationError("expires_at must be in the future")
    return moment.astimezone(UTC)


def _schedule(value: object) -> SnapshotSchedule | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"every", "keep"}:
        raise ValidationError('snapshot_schedule must be {"every": "<duration>", "keep": <n>}')
    keep = value["keep"]
    if isinstance(keep, bool) or not isinstance(keep, int) or not 1 <= keep <= MAX_KEEP:
        raise ValidationError(f"snapshot_schedule.keep must be an integer from 1 to {MAX_KEEP}")
    return SnapshotSchedule(parse_duration(value["every"], "snapshot_schedule.every"), keep)
