"""The inotify watch a start-up wait uses to read an engine's lock file as it is written."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

from app.drivers import file_changes


def test_a_write_to_a_file_in_the_directory_sets_the_event(tmp_path: Path) -> None:
    asyncio.run(asyncio.wait_for(writes_are_reported(tmp_path), 20))


async def writes_are_reported(tmp_path: Path) -> None:
    lock_file = tmp_path / "postmaster.pid"
    async with file_changes.written(tmp_path) as written:
        assert written is not None
        await asyncio.sleep(0.05)
        assert not written.is_set(), "nothing was written yet"
        lock_file.write_text("1\n")  # made and written
        await asyncio.wait_for(written.wait(), 2)
        written.clear()
        with lock_file.open("r+") as rewritten:  # as PostgreSQL rewrites its status line
            rewritten.seek(2)
            rewritten.write("ready\n")
        await asyncio.wait_for(written.wait(), 2)


def test_a_directory_that_cannot_be_watched_leaves_the_caller_to_poll(tmp_path: Path) -> None:
    async def watch_missing() -> None:
        async with file_changes.written(tmp_path / "missing") as written:
            assert written is None

    asyncio.run(watch_missing())


def test_a_wait_cancelled_while_the_watch_is_made_leaves_no_descriptor(tmp_path: Path) -> None:
    async def cancelled_at_once() -> None:
        async def wait() -> None:
            async with file_changes.written(tmp_path):
                raise AssertionError("cancelled before the watch was made")

        before = len(os.listdir("/proc/self/fd"))
        task = asyncio.create_task(wait())
        await asyncio.sleep(0)  # the watch is being made in a worker thread
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.5)  # the thread finishes; its descriptor is closed then
        assert len(os.listdir("/proc/self/fd")) == before

    asyncio.run(cancelled_at_once())
