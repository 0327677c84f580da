"""MariaDB sources: `mariadb-dump` (one consistent transaction, routines, triggers and events
included) into a file, then the `mariadb` client into the new database, from the engine's
image."""

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

# mariadb-dump has no connect timeout of its own: the probe's client (which has) runs first.
CLIENT = "--no-defaults --protocol=tcp --connect-timeout=5"
DUMPER = "--no-defaults --protocol=tcp"
SOURCE = 'MYSQL_PWD="$SRC_PASSWORD" {tool} {options} -h "$SRC_HOST" -P "$SRC_PORT" -u "$SRC_USER"'
TARGET = f'MYSQL_PWD="$DST_PASSWORD" mariadb {CLIENT} -h "$DST_HOST" -P "$DST_PORT" -u "$DST_USER"'
DUMP_FILE = f"{SCRATCH}/dump.sql"
# Views, routines, triggers and events name their source's definer, an account the new
# database does not have (and may not name without SUPER): its own account defines them
# instead. Row lines (`INSERT INTO` and continuation rows) are left as they are.
DEFINER = r"DEFINER=(`[^`]*`(@`[^`]*`)?|CURRENT_USER(\(\))?)"
OWN_DEFINER = shlex.quote(rf"/^(INSERT INTO |\()/!s/{DEFINER}/DEFINER=CURRENT_USER/g")
NO_DUMP_TOOL = "STAGDB-NO-DUMP-TOOL"
PROBE_QUERY = (
    "SELECT VERSION(), (SELECT COALESCE(SUM(data_length + index_length), 0) "
    "FROM information_schema.tables WHERE table_schema = DATABASE())"
)
VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")


class MariaDBImport(SourceTool):
    schemes = ("mariadb", "mysql")
    default_port = 3306
    supports_schemas = False  # a source is the one database its URI names

    def explain(self, output: str, where: str) -> str:
        if NO_DUMP_TOOL in output:
            return (
                "This server's MariaDB image has no mariadb-dump, so it cannot import; "
                "use an image that has it (STAGDB_IMAGE_MARIADB_<VERSION>)"
            )
        text = output.lower()
        if any(s in text for s in ("handshake", "packets out of order", "unknown mysql error",
                                   "malformed packet")):  # fmt: skip
            return f"The source at {where} does not answer as MariaDB"
        return super().explain(output, where)

    def probe_command(self) -> list[str]:
        query = shlex.quote(PROBE_QUERY)
        # The login is tried first: a wrong password says so even where the tool is missing.
        login = SOURCE.format(tool="mariadb", options=CLIENT)
        script = (
            f'found=$({login} -N -B -e {query} "$SRC_DB" 2>&1) '
            '|| { echo "$found"; exit 2; }\n'
            f"command -v mariadb-dump >/dev/null || {{ echo {NO_DUMP_TOOL}; exit 3; }}\n"
            'echo "$found"'
        )
        return ["sh", "-c", script]

    def parse_probe(self, output: str) -> SourceFacts:
        try:
            version, size = output.strip().splitlines()[-1].split("\t")
        except ValueError:
            raise SourceRefused("does not answer as MariaDB") from None
        if "mariadb" not in version.lower():
            raise SourceRefused(f"runs MySQL {version}, not MariaDB: create a mysql database")
        match = VERSION.match(version)
        if match is None:
            raise SourceRefused("does not answer as MariaDB")
        parts = tuple(int(part) for part in match.groups() if part is not None)
        return SourceFacts(version=parts, size_bytes=int(size))

    def import_command(self, what: ImportFilter) -> list[str]:
        options = " ".join(
            [f'--ignore-table="$SRC_DB".{shlex.quote(name)}' for name in what.exclude_tables]
            + (["--no-data"] if what.schema_only else [])
        )
        tables = " ".join(shlex.quote(name) for name in what.tables)
        dump = SOURCE.format(tool="mariadb-dump", options=DUMPER)
        script = f"""set -e
rm -f {DUMP_FILE}
{dump} --single-transaction --quick --routines --triggers --events --hex-blob \\
  {options} "$SRC_DB" {tables} > {DUMP_FILE}
echo "{PHASE_MARK}restore"
sed -E {OWN_DEFINER} {DUMP_FILE} | {TARGET} "$DST_DB"
rm -f {DUMP_FILE}
"""
        return ["sh", "-c", script]

    def progress(self, output: str, scratch: Path, source_bytes: int | None) -> Progress:
        """The dump counts bytes written (of the source's data and index size); the restore
        reports the dump's size, done when the client ends."""
        dumped = tree_bytes(scratch)
        if phase_of(output, "dump") == "dump":
            return Progress("dump", dumped, source_bytes, "bytes")
        return Progress("restore", 0, dumped, "bytes")
