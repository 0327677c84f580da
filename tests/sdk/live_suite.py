"""Running an SDK's own test suite (npm, go) as subprocesses against a live server."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import Server

COMMAND_TIMEOUT_S = 900


@dataclass
class SuiteRun:
    """The commands that ran, in order, and their output; `failed` names the one that failed."""

    output: str
    failed: list[str] | None

    def report(self) -> str:
        return f"{' '.join(self.failed or [])} failed; the output ends:\n{self.output[-20000:]}"


def run_suite(commands: list[list[str]], cwd: Path, server: Server) -> SuiteRun:
    """Runs the commands one after another in cwd, with STAGDB_URL / STAGDB_API_KEY set to the
    server's, stopping at the first that fails."""
    env = os.environ.copy() | {
        "STAGDB_URL": server.base_url,
        "STAGDB_API_KEY": server.key,
        "GOPROXY": "off",  # the Go SDK uses the standard library only: nothing to download
    }
    if "HOME" not in env:  # npm and go keep their caches under HOME
        env["HOME"] = tempfile.mkdtemp(prefix="stagdb-sdk-home-")
    output = ""
    for argv in commands:
        result = subprocess.run(
            argv,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
        output += f"$ {' '.join(argv)}\n{result.stdout}"
        if result.returncode != 0:
            return SuiteRun(output, argv)
    return SuiteRun(output, None)
