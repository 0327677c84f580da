"""Durations as users write them (`90s`, `15m`, `2h`, `7d`) and as answers show them."""

from __future__ import annotations

import re

from app.errors import ValidationError

UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"^([1-9][0-9]{0,8})([smhd])$")
MAX_SECONDS = 3650 * 86400  # ten years: beyond it a duration is surely a mistake


def parse_duration(value: object, field: str) -> int:
    """Seconds in a duration such as `90s`, `15m`, `2h` or `7d`."""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a duration such as 90s, 15m, 2h or 7d")
    match = _DURATION.match(value.strip().lower())
    if match is None:
        raise ValidationError(
            f"{field} must be a duration such as 90s, 15m, 2h or 7d, got {value!r}"
        )
    seconds = int(match.group(1)) * UNITS[match.group(2)]
    if seconds > MAX_SECONDS:
        raise ValidationError(f"{field} must be at most 3650d")
    return seconds


def format_duration(seconds: int) -> str:
    """The largest unit that states `seconds` exactly: 7200 → `2h`, 90 → `90s`."""
    for unit, size in UNITS.items():
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
