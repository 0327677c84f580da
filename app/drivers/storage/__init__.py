"""Storage backends; `open_pool` is the one place a backend is chosen."""

from __future__ import annotations

from pathlib import Path

from app.drivers.storage.base import SpaceUsage, StorageFailure, StoragePool, VolumeBusy
from app.drivers.storage.copy import CopyPool

BACKENDS: dict[str, type[StoragePool]] = {"copy": CopyPool}

__all__ = ["BACKENDS", "SpaceUsage", "StorageFailure", "StoragePool", "VolumeBusy", "open_pool"]


def open_pool(kind: str, root: Path) -> StoragePool:
    """The pool for `kind`; `auto` picks the best backend the pool path supports."""
    chosen = detect_kind(root) if kind == "auto" else kind
    try:
        backend = BACKENDS[chosen]
    except KeyError:
        raise StorageFailure(f"storage backend {chosen!r} is not available") from None
    return backend(root)


def detect_kind(root: Path) -> str:
    return "copy"
