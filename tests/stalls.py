"""What a stalled server was waiting for, for a failed test's report: its threads' Python
stacks (the server dumps them to its log on SIGUSR1) and every thread on the host that waits
uninterruptibly in the kernel (on a storage daemon that stopped answering, say), with its
kernel stack, and the end of the log of the zfs-fuse the run started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

DUMP_WAIT_S = 1.0


def dump_python_stacks(process: subprocess.Popen[bytes]) -> None:
    """Ask the server to write its threads' stacks to its log, and give it a moment to."""
    if process.poll() is None:
        process.send_signal(signal.SIGUSR1)
        time.sleep(DUMP_WAIT_S)


def threads_in_the_kernel() -> str:
    """Threads in state D (waiting uninterruptibly), with their command and kernel stack."""
    found = []
    for task in sorted(Path("/proc").glob("[0-9]*/task/[0-9]*")):
        with contextlib.suppress(OSError):
            stat = (task / "stat").read_text()
            state = stat[stat.rindex(")") + 2]
            if state != "D":
                continue
            command = (task.parent.parent / "cmdline").read_bytes().replace(b"\0", b" ")
            stack = _read_or_say(task / "stack")
            wchan = _read_or_say(task / "wchan")
            found.append(
                f"pid {task.parent.parent.name} thread {task.name} "
                f"({command.decode(errors='replace').strip()[:160]}), waiting in {wchan}:\n{stack}"
            )
    return "\n".join(found) or "none"


def zfs_fuse_log(workspace_prefix: str, lines: int) -> str | None:
    """The end of the log of the zfs-fuse this test run started, if it started one."""
    pattern = f"{workspace_prefix}{os.getpid()}-*/zfs-fuse.log"
    for log in Path(tempfile.gettempdir()).glob(pattern):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) or "(empty)"
    return None


def _read_or_say(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError as exc:
        return f"(unreadable: {exc.strerror})"
