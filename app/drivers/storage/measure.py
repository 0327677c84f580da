"""The space a directory tree takes, read in-process.

A running engine creates and removes files (WAL segments, temporary files) while its volume is
measured; a file that vanishes mid-walk is simply not counted, where `du` and `btrfs filesystem
du` fail the whole measurement. Unique bytes are the extents the FIEMAP ioctl does not flag as
shared (what `filefrag -v` shows as `shared`, and what `btrfs filesystem du` reports as
exclusive); extents not yet written back (delalloc) count as unique: they are new data.
"""

from __future__ import annotations

import os
import stat
import struct
from collections.abc import Iterator
from pathlib import Path

from app.drivers.ioctl import ioctl
from app.drivers.storage.base import SpaceUsage, StorageFailure

FS_IOC_FIEMAP = 0xC020660B
FIEMAP_HEADER = struct.Struct("=QQIIII")
FIEMAP_EXTENT = struct.Struct("=QQQQQIIII")
FIEMAP_EXTENT_LAST = 0x1
FIEMAP_EXTENT_SHARED = 0x2000
EXTENTS_PER_CALL = 256
BLOCK = 512  # the unit of st_blocks


def extent_usage(root: Path) -> SpaceUsage:
    """Apparent size of the tree's regular files, and the bytes of their unshared extents."""
    logical = unique = 0
    for path, stats in _entries(root):
        if stat.S_ISREG(stats.st_mode):
            logical += stats.st_size
            unique += _unshared_bytes(path)
    return SpaceUsage(logical_bytes=logical, unique_bytes=unique)


def allocated_bytes(root: Path) -> int:
    """Bytes allocated to the tree's files and directories (what `du -s` counts)."""
    return sum(stats.st_blocks * BLOCK for _, stats in _entries(root))


def _entries(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Each file and directory under `root` once (hard links counted once), with its status."""
    seen: set[tuple[int, int]] = set()
    for directory, directories, names in os.walk(root):
        for name in (*directories, *names):
            path = Path(directory, name)
            try:
                stats = path.lstat()
            except FileNotFoundError:
                continue
            if (stats.st_dev, stats.st_ino) in seen:
                continue
            seen.add((stats.st_dev, stats.st_ino))
            yield path, stats


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
        ioctl(fd, FS_IOC_FIEMAP, request)
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
