"""ioctl(2) that lets other threads run while the kernel works.

`fcntl.ioctl` holds the interpreter lock for the whole call (CPython 3.11), so a btrfs
snapshot, which waits for a transaction commit (tens of milliseconds on a busy pool), would
stop the server's event loop for that long. Called through ctypes, the lock is released.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.ioctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)
_libc.ioctl.restype = ctypes.c_int


def ioctl(fd: int, request: int, arguments: bytearray) -> None:
    """Run `request` on `fd` with `arguments`, which the kernel may write back into."""
    buffer = (ctypes.c_char * len(arguments)).from_buffer(arguments)
    if _libc.ioctl(fd, request, buffer) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
