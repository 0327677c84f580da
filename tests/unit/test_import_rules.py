"""Fast unit tests of import rules: sources as callers give them, versions, the tools'
commands and their progress, and `Prefer` headers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from starlette.requests import Request

from app.api.long_calls import Preference, preference
from app.domain.sources import parse_source
from app.engines.mariadb_import import OWN_DEFINER, MariaDBImport
from app.engines.pg_import import PgImport
from app.engines.source_tools import ImportFilter, SourceFacts, SourceRefused, last_error_line
from app.errors import ValidationError

PG = PgImport()
MARIA = MariaDBImport()


def test_a_source_keeps_its_password_out_of_what_is_shown() -> None:
    source = parse_source(
        {"uri": "postgresql://alice:p%40ss@db.internal:6543/shop", "tables": ["public.t*"]},
        "postgresql",
        PG,
    )
    assert (source.username, source.password, source.port) == ("alice", "p@ss", 6543)
    assert source.shown == "postgresql://alice@db.internal:6543/shop"
    assert "p@ss" not in source.shown
    assert source.environment()["SRC_PASSWORD"] == "p@ss"
    assert source.what == ImportFilter(tables=("public.t*",))
    default_port = parse_source({"uri": "postgres://a:b@h/d"}, "postgresql", PG)
    assert default_port.port == 5432


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"uri": "mysql://a:b@h/d"}, "use postgresql:// or postgres://"),
        ({"uri": "postgresql://h/d"}, "must name a user"),
        ({"uri": "postgresql://a:b@h"}, "must name a user, a host and a database"),
        ({"uri": "postgresql://a:b@h:99999/d"}, "not a valid URI"),
        ({"uri": 5}, "source.uri must be"),
        ({"uri": "postgresql://a:b@h/d", "schema_only": "yes"}, "true or false"),
        ({"uri": "postgresql://a:b@h/d", "schemas": "public"}, "must be a list"),
        ({"uri": "postgresql://a:b@h/d", "tables": ["$(reboot)"]}, "names may use"),
        ({"uri": "postgresql://a:b@h/d", "extra": 1}, "Unknown source field"),
        ([], "must be an object"),
    ],
)
def test_bad_sources_say_why(raw: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason.replace("(", r"\(").replace("$", r"\$")):
        parse_source(raw, "postgresql", PG)


def test_engines_without_an_importer_and_mariadb_schemas_are_refused() -> None:
    with pytest.raises(ValidationError, match="not available for mongodb"):
        parse_source({"uri": "mongodb://a:b@h/d"}, "mongodb", None)
    with pytest.raises(ValidationError, match="do not apply to mariadb"):
        parse_source({"uri": "mariadb://a:b@h/d", "schemas": ["x"]}, "mariadb", MARIA)


@pytest.mark.parametrize(
    ("source", "target", "newer"),
    [((16,), "15", True), ((15,), "15", False), ((14,), "15", False),
     ((11, 4, 2), "10.11", True), ((10, 11, 6), "10.11", False), ((10, 6, 1), "10.11", False)],
)  # fmt: skip
def test_a_newer_source_version_is_told_apart(
    source: tuple[int, ...], target: str, newer: bool
) -> None:
    assert SourceFacts(source, None).newer_than(target) is newer


def test_probes_parse_versions_and_refuse_other_engines() -> None:
    assert PG.parse_probe("160002 123456\n") == SourceFacts((16,), 123456)
    assert PG.parse_probe("90624 1\n") == SourceFacts((9, 6), 1)
    with pytest.raises(SourceRefused):
        PG.parse_probe("HTTP/1.1 400 Bad Request")
    maria = MARIA.parse_probe("10.11.6-MariaDB-1:10.11.6+maria~ubu2204\t4096\n")
    assert maria == SourceFacts((10, 11, 6), 4096)
    with pytest.raises(SourceRefused, match="runs MySQL"):
        MARIA.parse_probe("8.0.36\t1\n")


def test_failures_are_explained_without_the_tools_noise() -> None:
    where = "db:5432"
    refused = 'psql: error: FATAL:  password authentication failed for user "postgres"'
    assert "refused the login" in PG.explain(refused, where)
    assert "cannot be reached" in PG.explain("connection refused\n", where)
    assert "does not answer as PostgreSQL" in PG.explain("received invalid response", where)
    assert "access denied" not in MARIA.explain("ERROR 1045: Access denied", where).lower()
    assert last_error_line("pg_restore: processing\npg_restore: error: x\nlast") == (
        "pg_restore: error: x"
    )
    loading = "STAGDB-PHASE restore\nERROR 1227 (42000): Access denied; you need SUPER"
    assert MARIA.explain(loading, where).startswith(f"The data read from {where} could not be")


def test_commands_carry_no_credentials_and_quote_names() -> None:
    what = ImportFilter(schemas=("sales",), exclude_tables=("public.audit log",), schema_only=True)
    script = " ".join(PG.import_command(what))
    assert "-n sales" in script and "-T 'public.audit log'" in script and "--schema-only" in script
    assert '-j "$JOBS"' in script and "$SRC_PASSWORD" in script
    maria = " ".join(MARIA.import_command(ImportFilter(exclude_tables=("logs",))))
    assert '--ignore-table="$SRC_DB".logs' in maria and "--single-transaction" in maria


def test_pg_progress_counts_dump_bytes_then_restore_items(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "1.dat").write_bytes(b"x" * 1000)
    dump = PG.progress("", tmp_path, 5000)
    assert (dump.phase, dump.done, dump.total, dump.unit) == ("dump", 1000, 5000, "bytes")
    (tmp_path / "toc.list").write_text(";\n1; 2 TABLE a\n2; 3 TABLE b\n3; 4 INDEX c\n")
    output = "\n".join([
        "STAGDB-PHASE restore",
        "pg_restore: creating TABLE a", "pg_restore: creating TABLE b",
        "pg_restore: launching item 3 INDEX c", "pg_restore: creating INDEX c",
        "pg_restore: finished item 3 INDEX c",
    ])  # fmt: skip
    restore = PG.progress(output, tmp_path, 5000)
    assert (restore.phase, restore.done, restore.total, restore.unit) == (
        "restore", 3, 3, "objects",
    )  # fmt: skip


def request_with(*prefer: str, query: bytes = b"") -> Request:
    headers = [(b"prefer", value.encode()) for value in prefer]
    return Request({"type": "http", "headers": headers, "query_string": query})


def test_prefer_headers_are_read_as_rfc_7240_says() -> None:
    assert preference(request_with()) == Preference()
    assert preference(request_with("respond-async")) == Preference(True, None)
    assert preference(request_with("respond-async, wait=10")) == Preference(True, 10.0)
    assert preference(request_with("wait=600", "handling=lenient")) == Preference(False, 600.0)
    for bad in ("wait=soon", "wait=-1", "wait=99999"):
        with pytest.raises(ValidationError, match="wait"):
            preference(request_with(bad))


def test_mariadb_objects_are_defined_by_the_new_databases_own_account() -> None:
    """A source's definers do not exist here; row data that merely looks like one is kept."""
    dump = "\n".join([
        "/*!50013 DEFINER=`prod`@`%` SQL SECURITY DEFINER */",
        "/*!50001 CREATE ALGORITHM=UNDEFINED DEFINER=`` SQL SECURITY DEFINER VIEW `v` AS */;",
        "INSERT INTO `notes` VALUES (1,'DEFINER=`a`@`b`'),",
        "(2,'DEFINER=`c`@`d`');",
    ])  # fmt: skip
    rewritten = subprocess.run(
        f"sed -E {OWN_DEFINER}", shell=True, input=dump, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert rewritten[0] == "/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */"
    assert "DEFINER=CURRENT_USER SQL SECURITY DEFINER VIEW" in rewritten[1]
    assert rewritten[2:] == dump.splitlines()[2:]
