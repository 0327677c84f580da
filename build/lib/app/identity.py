"""This install's identity: made once, kept in its data dir, and carried by everything it makes
on the shared Docker engine, so two installs (or the test suite next to a live one) never
touch each other's things."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

IDENTITY_FILE = "install-id"
_SHAPE = re.compile(r"^sdb[0-9a-z]{10}$")


def install_id_of(data_dir: Path) -> str | None:
    """The identity kept in `data_dir`, or None when there is none (or it is damaged)."""
    try:
        text = (data_dir / IDENTITY_FILE).read_text().strip()
    except OSError:
        return None
    return text if _SHAPE.match(text) else None


def ensure_install_id(data_dir: Path) -> str:
    """The install's identity, made on first use; concurrent first uses agree on one."""
    existing = install_id_of(data_dir)
    if existing is not None:
        return existing
    data_dir.mkdir(parents=True, exist_ok=True)
    candidate = "sdb" + "".join(
        secrets.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(10)
    )
    scratch = data_dir / f".{IDENTITY_FILE}.{os.getpid()}"
    scratch.write_text(candidate + "\n")
    try:
        os.link(scratch, data_dir / IDENTITY_FILE)  # fails if another process won the race
    except FileExistsError:
        pass
    finally:
        scratch.unlink(missing_ok=True)
    settled = install_id_of(data_dir)
    if settled is None:
        raise OSError(f"{data_dir / IDENTITY_FILE} is not a StagDB install identity")
    return settled
