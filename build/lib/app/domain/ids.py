"""Public ids: a kind prefix and 12 opaque lowercase characters (`db-…`, `snap-…`, `op-…`)."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 12


def new_id(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(ID_LENGTH))


def looks_like_id(prefix: str, value: str) -> bool:
    return re.fullmatch(rf"{prefix}-[0-9a-z]{{{ID_LENGTH}}}", value) is not None
