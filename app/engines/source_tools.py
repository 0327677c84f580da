"""How an engine reads an existing server (a source) and copies it into a new database with
its own tools, run in the engine's image so versions match.

Commands read every address and credential from the environment (SRC_* for the source,
DST_* for the new database, JOBS for parallelism), never from their argv, so no password shows
in a process list or a log. They work in a scratch directory mounted at SCRATCH and need no
more than a POSIX shell beside the engine's own tools; how far they have come is read from
outside, from their output and what they wrote there."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

SCRATCH = "/stagdb-import"
PHASE_MARK = "STAGDB-PHASE "  # a command's line announcing its next phase


@dataclass(frozen=True)
class ImportFilter:
    """What of the source to copy: schemas and tables to include or exclude, or no data."""

    schemas: tuple[str, ...] = ()
    exclude_schemas: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    exclude_tables: tuple[str, ...] = ()
    schema_only: bool = False


@dataclass(frozen=True)
class SourceFacts:
    """What a probe of the source found."""

    version: tuple[int, ...]  # (16,) for PostgreSQL 16.2, (11, 4) for MariaDB 11.4.2
    size_bytes: int | None

    def newer_than(self, target: str) -> bool:
        """Whether the source's version is newer than `target` (as far as `target` goes)."""
        wanted = tuple(int(part) for part in target.split(".") if part.isdigit())
        return self.version[: len(wanted)] > wanted


@dataclass(frozen=True)
class Progress:
    phase: str
    done: int
    total: int | None
    unit: str  # bytes or objects


class SourceRefused(Exception):
    """The source cannot be used; the message is safe to show (it holds no credentials)."""


class SourceTool(ABC):
    """The import tools of one engine."""

    schemes: tuple[str, ...]  # URI schemes that name a server of this engine
    default_port: int
    supports_schemas: bool = True

    @abstractmethod
    def probe_command(self) -> list[str]:
        """Logs in to the source and prints its version and size; exits non-zero when not."""

    @abstractmethod
    def parse_probe(self, output: str) -> SourceFacts: ...

    @abstractmethod
    def import_command(self, what: ImportFilter) -> list[str]:
        """Dumps the source into SCRATCH, then restores it into the new database."""

    @abstractmethod
    def progress(self, output: str, scratch: Path, source_bytes: int | None) -> Progress:
        """How far an import has come, from its output so far and its scratch directory."""

    def explain(self, output: str, where: str) -> str:
        """A safe message for a failed probe or import, from the tool's output."""
        if phase_of(output, "dump") == "restore":  # the source was read; loading it here failed
            return f"The data read from {where} could not be loaded: {last_error_line(output)}"
        text = output.lower()
        if any(s in text for s in ("password authentication failed", "access denied",
                                   "authentication failed", "no password supplied")):  # fmt: skip
            return f"The source at {where} refused the login: check the user and password"
        if any(s in text for s in ("connection refused", "could not translate host",
                                   "timeout expired", "can't connect", "no route to host",
                                   "unknown server host", "name or service not known",
                                   "network is unreachable", "timed out")):  # fmt: skip
            return f"The source at {where} cannot be reached"
        if "does not exist" in text or "unknown database" in text:
            return f"The source at {where} has no such database"
        return f"The source at {where} could not be read: {last_error_line(output)}"


def last_error_line(output: str) -> str:
    """The tool's last line that reads as an error, else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(PHASE_MARK)]
    for line in reversed(lines):
        if "error" in line.lower() or "fatal" in line.lower():
            return line[:300]
    return lines[-1][:300] if lines else "no output"


def phase_of(output: str, first: str) -> str:
    """The phase a command last announced (`first` until it announced one)."""
    phase = first
    for line in output.splitlines():
        if line.startswith(PHASE_MARK):
            phase = line[len(PHASE_MARK) :].strip()
    return phase


def tree_bytes(path: Path) -> int:
    """Bytes of the files under `path` (0 while it does not exist)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total
