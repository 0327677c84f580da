"""Bind mounts on the host, by system call (no `mount` process per call): what lets a volume
appear inside a container started before the volume existed."""

from __future__ import annotations

import ctypes
import errno
import os
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


def file_system_type(path: Path) -> str | None:
    """The type of the file system `path` lies on ("btrfs", "fuse", ...), as this process's
    mount table tells: that of the deepest mount point holding it."""
    resolved = os.path.realpath(path)
    found: tuple[int, str] | None = None
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields, _, described = line.partition(" - ")
        point = _unescape(fields.split(" ", 5)[4])
        holds = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if holds and (found is None or len(point) >= found[0]):
            found = (len(point), described.split(" ", 1)[0])
    return None if found is None else found[1]


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field
