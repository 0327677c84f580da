"""The `reflink` backend: the `copy` layout, but every file is cloned with FICLONE (XFS, btrfs).

Clones and snapshots are `cp -a --reflink=always`, which fails loudly on a filesystem that
cannot share extents rather than silently copying. Copies are not atomic (the domain freezes a
running database around them) and never depend on their source, so destroying a snapshot or a
volume that has clones always works.

Space: logical bytes are the apparent size of the volume's files (`du --apparent-size`);
unique bytes are the extents that the FIEMAP ioctl does not flag as shared (what `filefrag -v`
shows as `shared`), read in-process so that files a running database deletes meanwhile are
skipped. Extents not yet written back (delalloc) count as unique: they are new data.
"""

from __future__ import annotations

import fcntl
import os
import stat
import struct
from collections.abc import Iterator
from pathlib import Path

from app.drivers.storage.base import SpaceUsage, StorageFailure
from app.drivers.storage.copy import CopyPool

FS_IOC_FIEMAP = 0xC020660B
FIEMAP_HEADER = struct.Struct("=QQIIII")
FIEMAP_EXTENT = struct.Struct("=QQQQQIIII")
FIEMAP_EXTENT_LAST = 0x1
FIEMAP_EXTENT_SHARED = 0x2000
EXTENTS_PER_CALL = 256


class ReflinkPool(CopyPool):
    kind = "reflink"
    copy_on_write = True
    atomic_snapshots = False
    cp_flags = ("--reflink=always",)

    def volume_usage(self, volume: str) -> SpaceUsage:
        return _tree_usage(self.volume_path(volume))

    def snapshot_usage(self, volume: str, snapshot: str) -> SpaceUsage:
        return _tree_usage(self.snapshot_path(volume, snapshot))


def _tree_usage(root: Path) -> SpaceUsage:
    logical = unique = 0
    for path, size in _regular_files(root):
        logical += size
        unique += _unshared_bytes(path)
    return SpaceUsage(logical_bytes=logical, unique_bytes=unique)


def _regular_files(root: Path) -> Iterator[tuple[Path, int]]:
    """Each regular file under `root` once (hard links counted once), with its apparent size."""
    seen: set[tuple[int, int]] = set()
    for directory, _, names in os.walk(root):
        for name in names:
            path = Path(directory, name)
            try:
                stats = path.lstat()
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(stats.st_mode) or (stats.st_dev, stats.st_ino) in seen:
                continue
            seen.add((stats.st_dev, stats.st_ino))
            yield path, stats.st_size


def _unshared_bytes(path: Path) -> int:
    try:
        with open(path, "rb") as handle:
            extents = list(_extents(handle.fileno()))
    except FileNotFoundError:
        return 0
    except OSError as exc:
        raise StorageFailure(f"read the extents of {path}: {exc}") from exc
    return sum(length for length, flags in extents if not flags & FIEMAP_EXTENT_SHARED)


def _extents(fd: int) -> Iterator[tuple[int, int]]:
    """(length, flags) of every extent of the open file `fd`, via the FIEMAP ioctl."""
    start = 0
    while True:
        request = bytearray(FIEMAP_HEADER.size + EXTENTS_PER_CALL * FIEMAP_EXTENT.size)
        FIEMAP_HEADER.pack_into(request, 0, start, 2**64 - 1 - start, 0, 0, EXTENTS_PER_CALL, 0)
        fcntl.ioctl(fd, FS_IOC_FIEMAP, request)
        mapped = FIEMAP_HEADER.unpack_from(request)[3]
        if mapped == 0:
            return
        for index in range(mapped):
            offset = FIEMAP_HEADER.size + index * FIEMAP_EXTENT.size
            logical, _, length, _, _, flags, _, _, _ = FIEMAP_EXTENT.unpack_from(request, offset)
            yield length, flags
            if flags & FIEMAP_EXTENT_LAST:
                return
        start = logical + length
