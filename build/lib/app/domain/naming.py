"""Name rules for databases and snapshots: usable in URLs, hostnames and container names."""

from __future__ import annotations

import re

from app.domain.ids import looks_like_id
from app.errors import ValidationError

MAX_NAME_LENGTH = 63
NAME_PATTERN = re.compile(r"[a-z]([a-z0-9-]*[a-z0-9])?")


def validate_name(value: object, kind: str = "database", id_prefix: str = "db") -> str:
    if not isinstance(value, str):
        raise ValidationError(f"The {kind} name must be a string")
    if not 1 <= len(value) <= MAX_NAME_LENGTH:
        raise ValidationError(
            f"The {kind} name must be 1 to {MAX_NAME_LENGTH} characters long (got {len(value)})"
        )
    if not NAME_PATTERN.fullmatch(value):
        raise ValidationError(
            f"Invalid {kind} name {value!r}: use lowercase letters, digits and hyphens, "
            "starting with a letter and not ending with a hyphen (e.g. 'my-app-db')"
        )
    if "--" in value:
        raise ValidationError(f"Invalid {kind} name {value!r}: no consecutive hyphens")
    if looks_like_id(id_prefix, value):
        raise ValidationError(
            f"Invalid {kind} name {value!r}: it has the form of an id ({id_prefix}-…)"
        )
    return value
