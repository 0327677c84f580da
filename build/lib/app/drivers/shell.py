"""The one place shell commands run; a failure raises CommandFailed with status and stderr."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Sequence

log = logging.getLogger(__name__)


class CommandFailed(Exception):
    def __init__(self, argv: Sequence[str], status: int, stderr: str) -> None:
        super().__init__(f"{argv[0]} exited {status}: {stderr.strip()[:500]}")
        self.argv = list(argv)
        self.status = status
        self.stderr = stderr


def run(argv: Sequence[str], timeout_s: float = 300, input_text: str | None = None) -> str:
    """Run a command without a shell and return its stdout; raise CommandFailed otherwise."""
    log.debug("running %s", " ".join(argv))
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            input=input_text,
            check=False,
        )
    except FileNotFoundError:
        raise CommandFailed(argv, 127, f"{argv[0]}: command not found") from None
    except subprocess.TimeoutExpired:
        raise CommandFailed(argv, 124, f"timed out after {timeout_s:.0f}s") from None
    if done.returncode != 0:
        raise CommandFailed(argv, done.returncode, done.stderr)
    return done.stdout
