"""Btrfs subvolumes made, snapshotted and deleted by ioctl, as `btrfs subvolume` does it,
without a process per call: a branch of ten clones otherwise starts eleven `btrfs` processes,
each of which also reads the host's whole mount table (which grows with every container). The
calls release the interpreter lock (`app.drivers.ioctl`): a snapshot waits for a commit.

The structures are the kernel's (linux/btrfs.h): `btrfs_ioctl_vol_args` (an fd and a name,
4096 bytes) and `btrfs_ioctl_vol_args_v2` (an fd, a transid, flags, 32 bytes of union, then
the name; 4096 bytes).
"""

from __future__ import annotations

import errno
import os
import struct
from pathlib import Path

from app.drivers.ioctl import ioctl

ARGS_SIZE = 4096
NAME_MAX = 255  # a subvolume's name is a directory entry
SUBVOL_RDONLY = 1 << 1


def _iow(number: int) -> int:
    """_IOW(BTRFS_IOCTL_MAGIC, number, <4096-byte argument>)."""
    return (1 << 30) | (ARGS_SIZE << 16) | (0x94 << 8) | number


SUBVOL_CREATE = _iow(14)
SNAP_DESTROY = _iow(15)
SNAP_CREATE_V2 = _iow(23)


def create_subvolume(target: Path) -> None:
    _in_parent(target, SUBVOL_CREATE, _vol_args(0, target.name))


def snapshot(source: Path, target: Path, read_only: bool) -> None:
    source_fd = os.open(source, os.O_RDONLY | os.O_DIRECTORY)
    try:
        flags = SUBVOL_RDONLY if read_only else 0
        arguments = bytearray(ARGS_SIZE)
        struct.pack_into("<qQQ", arguments, 0, source_fd, 0, flags)
        _put_name(arguments, 24 + 32, target.name)
        _in_parent(target, SNAP_CREATE_V2, arguments)
    finally:
        os.close(source_fd)


def delete_subvolume(path: Path) -> None:
    """Delete a subvolume and everything in it (read-only snapshots included)."""
    _in_parent(path, SNAP_DESTROY, _vol_args(0, path.name))


def _vol_args(fd: int, name: str) -> bytearray:
    arguments = bytearray(ARGS_SIZE)
    struct.pack_into("<q", arguments, 0, fd)
    _put_name(arguments, 8, name)
    return arguments


def _put_name(arguments: bytearray, offset: int, name: str) -> None:
    encoded = os.fsencode(name)
    if not encoded or len(encoded) > NAME_MAX or b"/" in encoded or encoded in (b".", b".."):
        raise OSError(errno.EINVAL, f"not a subvolume name: {name!r}")
    arguments[offset : offset + len(encoded)] = encoded  # the rest stays zero: terminated


def _in_parent(path: Path, request: int, arguments: bytearray) -> None:
    """Run the ioctl on `path`'s parent directory, which holds the subvolume's entry."""
    parent_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        ioctl(parent_fd, request, arguments)
    finally:
        os.close(parent_fd)
