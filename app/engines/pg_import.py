"""PostgreSQL sources: `pg_dump -Fd` with parallel jobs, then `pg_restore -j` into the new
database, both from the engine's image."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from app.engines.source_tools import (
    PHASE_MARK,
    SCRATCH,
    ImportFilter,
    Progress,
    SourceFacts,
    SourceRefused,
    SourceTool,
    phase_of,
    tree_bytes,
)

SOURCE_ENV = 'PGPASSWORD="$SRC_PASSWORD" PGCONNECT_TIMEOUT=5'
SOURCE_ARGS = '-h "$SRC_HOST" -p "$SRC_PORT" -U "$SRC_USER" -d "$SRC_DB"'
TARGET_ENV = 'PGPASSWORD="$DST_PASSWORD"'
TARGET_ARGS = '-h "$DST_HOST" -p "$DST_PORT" -U "$DST_USER" -d "$DST_DB"'
SERIAL_ITEM = re.compile(r"pg_restore: (creating|processing data)")
PROBE_QUERY = "SELECT current_setting('server_version_num'), pg_database_size(current_database())"
DUMP_DIR = f"{SCRATCH}/data"
TOC = f"{SCRATCH}/toc.list"


class PgImport(SourceTool):
    schemes = ("postgresql", "postgres")
    default_port = 5432

    def explain(self, output: str, where: str) -> str:
        text = output.lower()
        if any(s in text for s in ("invalid response", "expected authentication request",
                                   "server closed the connection unexpectedly",
                                   "unsupported frontend protocol", "invalid length")):  # fmt: skip
            return f"The source at {where} does not answer as PostgreSQL"
        return super().explain(output, where)

    def probe_command(self) -> list[str]:
        query = shlex.quote(PROBE_QUERY)
        return ["sh", "-c", f"{SOURCE_ENV} psql -X -A -t -F ' ' {SOURCE_ARGS} -c {query} 2>&1"]

    def parse_probe(self, output: str) -> SourceFacts:
        try:
            version, size = output.strip().splitlines()[-1].split()
            number = int(version)
        except ValueError:
            raise SourceRefused("does not answer as PostgreSQL") from None
        # 160002 is 16.2; before 10, 90624 was 9.6.24 and 9.6 the major version.
        major = (number // 10000,) if number >= 100000 else (number // 10000, number // 100 % 100)
        return SourceFacts(version=major, size_bytes=int(size))

    def import_command(self, what: ImportFilter) -> list[str]:
        selection = " ".join(
            [f"-n {shlex.quote(name)}" for name in what.schemas]
            + [f"-N {shlex.quote(name)}" for name in what.exclude_schemas]
            + [f"-t {shlex.quote(name)}" for name in what.tables]
            + [f"-T {shlex.quote(name)}" for name in what.exclude_tables]
            + (["--schema-only"] if what.schema_only else [])
        )
        script = f"""set -e
rm -rf {DUMP_DIR} {TOC}
{SOURCE_ENV} pg_dump -Fd -j "$JOBS" --no-sync {selection} {SOURCE_ARGS} -f {DUMP_DIR}
pg_restore -l {DUMP_DIR} > {TOC}
echo "{PHASE_MARK}restore"
{TARGET_ENV} pg_restore -v -j "$JOBS" --no-owner --no-privileges --exit-on-error \\
  {TARGET_ARGS} {DUMP_DIR}
rm -rf {DUMP_DIR}
"""
        return ["sh", "-c", script]

    def progress(self, output: str, scratch: Path, source_bytes: int | None) -> Progress:
        """The dump counts bytes written (of the source database's size); the restore counts
        items of the dump's table of contents as `pg_restore -v` reports them: one
        "creating" line per item while it runs serially, one "finished item" line per item
        once its workers run."""
        if phase_of(output, "dump") == "dump":
            return Progress("dump", tree_bytes(scratch / "data"), source_bytes, "bytes")
        try:
            toc = (scratch / "toc.list").read_text(errors="replace").splitlines()
        except OSError:
            toc = []
        total = sum(1 for line in toc if line[:1].isdigit())
        done, parallel = 0, False
        for line in output.splitlines():
            parallel = parallel or "launching item" in line
            if ("finished item" in line) if parallel else SERIAL_ITEM.search(line):
                done += 1
        return Progress("restore", min(done, total), total, "objects")
