"""Storage backends; `open_pool` is the one place a backend is chosen."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from app.drivers import shell
from app.drivers.mounts import Mount, containing_mount, mounts
from app.drivers.storage.base import SpaceUsage, StorageFailure, StoragePool, VolumeBusy
from app.drivers.storage.btrfs import BtrfsPool
from app.drivers.storage.copy import CopyPool
from app.drivers.storage.reflink import ReflinkPool
from app.drivers.storage.zfs import ZfsPool

BACKENDS: dict[str, type[StoragePool]] = {
    "zfs": ZfsPool,
    "btrfs": BtrfsPool,
    "reflink": ReflinkPool,
    "copy": CopyPool,
}
ZFS_FILESYSTEM_TYPES = ("zfs", "fuse.zfs")
KIND_MARKER = ".stagdb-pool-kind"
OWNER_MARKER = ".stagdb-pool-owner"

__all__ = [
    "BACKENDS",
    "Mount",
    "SpaceUsage",
    "StorageFailure",
    "StoragePool",
    "VolumeBusy",
    "ZFS_FILESYSTEM_TYPES",
    "detect_kind",
    "mounts",
    "open_pool",
    "recorded_kind",
    "remember_kind",
    "claim_pool",
]


def open_pool(kind: str, root: Path) -> StoragePool:
    """The pool for `kind`; `auto` reuses the kind the pool was made with, or else picks the
    best backend the pool path supports."""
    recorded = recorded_kind(root)
    chosen = kind if kind != "auto" else (recorded or detect_kind(root))
    if recorded is not None and recorded != chosen:
        raise StorageFailure(
            f"the pool at {root} holds {recorded} volumes; it cannot be used as {chosen}"
        )
    try:
        backend = BACKENDS[chosen]
    except KeyError:
        raise StorageFailure(f"storage backend {chosen!r} is not available") from None
    return backend(root)


def recorded_kind(root: Path) -> str | None:
    """The backend a pool was prepared for, kept in a marker file at its root."""
    marker = root / KIND_MARKER
    try:
        return marker.read_text().strip() or None
    except OSError:
        return None


def remember_kind(pool: StoragePool) -> None:
    marker = pool.root / KIND_MARKER
    if not marker.exists():
        marker.write_text(pool.kind + "\n")


def claim_pool(pool: StoragePool, install_id: str) -> None:
    """Mark the pool as this install's; a pool another install owns is refused, so two
    installs never destroy each other's volumes as orphans."""
    marker = pool.root / OWNER_MARKER
    try:
        owner = marker.read_text().strip()
    except FileNotFoundError:
        marker.write_text(install_id + "\n")
        return
    except OSError as exc:
        raise StorageFailure(f"cannot read {marker}: {exc}") from exc
    if owner != install_id:
        raise StorageFailure(
            f"the pool at {pool.root} belongs to another StagDB install ({owner}); "
            "give this install its own STAGDB_POOL_PATH"
        )


def detect_kind(root: Path) -> str:
    """The best backend for `root`, which need not exist yet.

    `zfs` when the closest existing path at or above `root` is the mountpoint of a ZFS dataset
    (read from /proc/self/mountinfo, so a dead zfs-fuse mount still counts), `btrfs` when that
    path is on btrfs, `reflink` when a test file there can be cloned, else `copy`.
    """
    table = {mount.mount_point: mount for mount in mounts()}
    anchor = _closest_existing(root, table)
    if anchor in table and table[anchor].fs_type in ZFS_FILESYSTEM_TYPES:
        return "zfs"
    if containing_mount(anchor, table).fs_type == "btrfs":
        return "btrfs"
    return "reflink" if _clones_files(anchor) else "copy"


def _closest_existing(path: Path, table: dict[Path, Mount]) -> Path:
    """`path` or its closest existing ancestor (a dead FUSE mount point counts as existing)."""
    real = Path(os.path.realpath(path))
    for candidate in (real, *real.parents):
        if candidate in table or candidate.is_dir():
            return candidate
    return Path("/")


def _clones_files(directory: Path) -> bool:
    try:
        with tempfile.TemporaryDirectory(prefix=".stagdb-reflink-", dir=directory) as scratch:
            source = Path(scratch, "source")
            source.write_bytes(b"stagdb reflink probe\n")
            shell.run(["cp", "--reflink=always", str(source), str(Path(scratch, "clone"))])
    except (OSError, shell.CommandFailed):
        return False
    return True
