"""Writes to the files of one directory, as the kernel's inotify reports them, so that a wait
for a file to say something wakes when it is written instead of on its next poll."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

from app.drivers.libc import LIBC

IN_MODIFY = 0x002
IN_CLOSE_WRITE = 0x008
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
WRITTEN = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC
READ_SIZE = 4096


@contextlib.asynccontextmanager
async def written(directory: Path) -> AsyncIterator[asyncio.Event | None]:
    """An event set each time a file in `directory` is made or written while the block runs;
    None when the kernel will not watch it (no inotify instance left, no such directory):
    the caller then polls. The watch is set up in a worker thread: adding it looks the path
    up, and on a FUSE file system (zfs-fuse) that waits for the daemon, which the event loop
    must never do."""
    watching = asyncio.ensure_future(asyncio.to_thread(_watch, directory))
    try:
        descriptor = await asyncio.shield(watching)
    except asyncio.CancelledError:  # the thread still makes it: close it once it is made
        watching.add_done_callback(_close_made)
        raise
    if descriptor is None:
        yield None
        return
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()
    try:
        loop.add_reader(descriptor, _drain, descriptor, changed)
        try:
            yield changed
        finally:
            loop.remove_reader(descriptor)
    finally:
        os.close(descriptor)


def _watch(directory: Path) -> int | None:
    """A non-blocking inotify descriptor watching `directory` for writes, or None."""
    descriptor = LIBC.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
    if descriptor < 0:
        return None
    if LIBC.inotify_add_watch(descriptor, os.fsencode(directory), WRITTEN) < 0:
        os.close(descriptor)
        return None
    return int(descriptor)


def _close_made(watching: asyncio.Future[int | None]) -> None:
    if not watching.cancelled() and watching.exception() is None:
        descriptor = watching.result()
        if descriptor is not None:
            os.close(descriptor)


def _drain(descriptor: int, changed: asyncio.Event) -> None:
    """Read what the kernel reported (only that something was written matters)."""
    with contextlib.suppress(BlockingIOError):
        while os.read(descriptor, READ_SIZE):
            pass
    changed.set()
