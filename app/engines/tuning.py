"""Engine settings a database may override: each allowed name with the type of its value,
and how a checked value is spelled on the engine's command line."""

from __future__ import annotations

import re
from dataclasses import dataclass

Value = int | bool | str


@dataclass(frozen=True)
class Tunable:
    """One allowed setting: an integer in [minimum, maximum], a boolean, or a string that
    matches `pattern` (sizes such as 16MB, durations such as 5min)."""

    kind: str  # "integer", "boolean" or "text"
    minimum: int = 0
    maximum: int = 2**31 - 1
    pattern: str = ""
    example: str = ""

    def check(self, value: object) -> Value | None:
        """The value in its canonical type, or None when it is not one this setting takes."""
        if self.kind == "boolean":
            return value if isinstance(value, bool) else None
        if self.kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                return None
            return value if self.minimum <= value <= self.maximum else None
        if isinstance(value, str) and re.fullmatch(self.pattern, value):
            return value
        return None

    def describe(self) -> str:
        if self.kind == "integer":
            return f"an integer from {self.minimum} to {self.maximum}"
        if self.kind == "boolean":
            return "true or false"
        return f"a string such as '{self.example}'"


def integer(minimum: int, maximum: int) -> Tunable:
    return Tunable("integer", minimum, maximum)


BOOLEAN = Tunable("boolean")
