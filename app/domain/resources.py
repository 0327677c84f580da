"""Resource limits of a database container: memory (Docker-style size) and CPUs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.errors import ValidationError

UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
MIN_MEMORY_BYTES = 64 * 1024**2
MAX_CPUS = 64.0


@dataclass(frozen=True)
class Resources:
    memory_bytes: int | None = None
    cpus: float | None = None


def parse_resources(value: object, current: Resources | None = None) -> Resources:
    """Parse `{"memory": "512m", "cpus": 1.5}`; keys left out keep `current`'s value."""
    base = current or Resources()
    if value is None:
        return base
    if not isinstance(value, dict):
        raise ValidationError("resources must be an object with 'memory' and/or 'cpus'")
    unknown = sorted(set(value) - {"memory", "cpus"})
    if unknown:
        raise ValidationError(f"Unknown resources field(s): {', '.join(unknown)}")
    memory = parse_memory(value["memory"]) if "memory" in value else base.memory_bytes
    cpus = parse_cpus(value["cpus"]) if "cpus" in value else base.cpus
    return Resources(memory_bytes=memory, cpus=cpus)


def parse_memory(
    value: object, field: str = "memory", minimum: int = MIN_MEMORY_BYTES
) -> int | None:
    """A Docker-style size ('512m', '2g'); null stands for no limit."""
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d{1,15})\s*(?:([kmg])(?:i?b)?|b)?\s*", str(value).lower())
    if isinstance(value, bool) or match is None:
        raise ValidationError(
            f"Invalid {field} {value!r}: use a size such as '512m' or '2g' (or null for no limit)"
        )
    size = int(match.group(1)) * UNITS[match.group(2) or ""]
    if size < minimum:
        raise ValidationError(f"{field} must be at least {format_memory(minimum)}")
    return size


def parse_cpus(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"Invalid cpus {value!r}: use a number such as 0.5 or 2")
    if not 0.01 <= float(value) <= MAX_CPUS:
        raise ValidationError(f"cpus must be between 0.01 and {MAX_CPUS:g}")
    return float(value)


def format_memory(size: int | None) -> str | None:
    if size is None:
        return None
    for suffix in ("g", "m", "k"):
        if size % UNITS[suffix] == 0:
            return f"{size // UNITS[suffix]}{suffix}"
    return str(size)
