"""Bind mounts on the host, by system call (no `mount` process per call): what lets a volume
appear inside a container started before the volume existed; and this process's mount table,
read from /proc/self/mountinfo."""

from __future__ import annotations

import ctypes
import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path

from app.drivers.libc import LIBC

MS_BIND = 0x1000
MS_SHARED = 1 << 20
MNT_DETACH = 0x2


class MountFailed(OSError):
    pass


def _call(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise MountFailed(errno, f"{what}: {os.strerror(errno)}")


def bind(source: Path, target: Path) -> None:
    """Mount `source` on `target`; copies of `target` in containers (slave mounts) see it."""
    _call(
        LIBC.mount(bytes(source), bytes(target), None, MS_BIND, None),
        f"bind {source} on {target}",
    )


def make_shared_mount(path: Path) -> None:
    """Make `path` a mount point of its own whose mounts below propagate to the copies
    containers hold of it; a no-op when it already is one."""
    if not is_mount_point(path):
        bind(path, path)
    _call(LIBC.mount(None, bytes(path), None, MS_SHARED, None), f"share {path}")


def detach(path: Path) -> None:
    """Unmount `path` lazily (it goes when its last user does); not mounted, or not there,
    is fine. Asks the kernel directly: reading the mount table costs milliseconds on a host
    with hundreds of containers."""
    if LIBC.umount2(bytes(path), MNT_DETACH) != 0:
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOENT):  # EINVAL: not a mount point
            raise MountFailed(code, f"unmount {path}: {os.strerror(code)}")


def detach_all_under(directory: Path) -> None:
    """Unmount everything at or below `directory`, deepest first (for clean-up once the
    containers that used the mounts are gone)."""
    for point in sorted(mount_points_under(directory), key=len, reverse=True):
        _call(LIBC.umount2(point.encode(), MNT_DETACH), f"unmount {point}")


def is_mount_point(path: Path) -> bool:
    return str(path) in mount_points_under(path)


def mount_points_under(path: Path) -> set[str]:
    """Mount points at or below `path` in this process's mount table."""
    prefix = str(path)
    found = set()
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = _unescape(line.split(" ", 5)[4])
        if point == prefix or point.startswith(prefix + "/"):
            found.add(point)
    return found


@dataclass(frozen=True)
class Mount:
    mount_point: Path
    fs_type: str
    source: str


def mounts() -> list[Mount]:
    """The mount table of this process, in mount order."""
    table = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        separator = fields.index("-")
        table.append(
            Mount(
                mount_point=Path(_unescape(fields[4])),
                fs_type=fields[separator + 1],
                source=_unescape(fields[separator + 2]),
            )
        )
    return table


def containing_mount(path: Path, table: dict[Path, Mount]) -> Mount:
    """The mount `path` (resolved) lies on: the deepest mount point at or above it."""
    return next(table[candidate] for candidate in (path, *path.parents) if candidate in table)


def file_system_type(path: Path) -> str:
    """The type of the file system `path` lies on ("btrfs", "fuse.zfs", ...)."""
    table = {mount.mount_point: mount for mount in mounts()}  # the last at a point is on top
    return containing_mount(Path(os.path.realpath(path)), table).fs_type


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes."""
    return re.sub(r"\\([0-7]{3})", lambda code: chr(int(code.group(1), 8)), field)
