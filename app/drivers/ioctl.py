"""ioctl(2) that lets other threads run while the kernel works.

`fcntl.ioctl` holds the interpreter lock for the whole call (CPython 3.11), so a btrfs
snapshot, which waits for a transaction commit (tens of milliseconds on a busy pool), would
stop the server's event loop for that long. Called through ctypes, the lock is released.
"""

from __future__ import annotations

import ctypes
import os

from app.drivers.libc import LIBC


def ioctl(fd: int, request: int, arguments: bytearray) -> None:
    """Run `request` on `fd` with `arguments`, which the kernel may write back into."""
    buffer = (ctypes.c_char * len(arguments)).from_buffer(arguments)
    if LIBC.ioctl(fd, request, buffer) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
