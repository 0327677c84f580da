"""How an engine masks columns in place: one SQL script per set of rules, deterministic per
value and keyed (the same input and key give the same output, so joins and unique keys keep
working), then the rewritten tables compacted so no dead row or stale statistic keeps an
original value.

Replacements (`with`): email, name, phone, hash, null, redact, fixed:<value>. A NULL stays
NULL. Foreign key checks are off while the script runs: a key masked in a parent and its
children gets the same value in both, so the keys still hold afterwards.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass

REPLACEMENTS = ("email", "name", "phone", "hash", "null", "redact")
FIXED = "fixed:"


@dataclass(frozen=True)
class MaskRule:
    table: str  # `schema.table` or `table`
    column: str
    with_: str  # one of REPLACEMENTS, or fixed:<value>


class MaskingDialect(ABC):
    @abstractmethod
    def script(self, rules: Sequence[MaskRule], key: str) -> list[str]:
        """SQL batches, run in order: the rewrite of every rule's column (one transaction),
        then the compaction of the tables it touched."""

    @abstractmethod
    def command(self, script: list[str], port: int, database: str) -> list[str]:
        """Runs the batches inside the database's container (its engine listening on `port`)
        as its administrator, in `database` (the one its connection URI names)."""


def _tables(rules: Sequence[MaskRule]) -> list[str]:
    return list(dict.fromkeys(rule.table for rule in rules))


class PostgresMasking(MaskingDialect):
    def script(self, rules: Sequence[MaskRule], key: str) -> list[str]:
        updates = []
        for table in _tables(rules):
            columns = [rule for rule in rules if rule.table == table]
            assignments = ", ".join(
                f"{_pg_identifier(rule.column)} = {self._replacement(rule, key)}"
                for rule in columns
            )
            updates.append(f"UPDATE {_pg_table(table)} SET {assignments};")
        compaction = [f"VACUUM (FULL, ANALYZE) {_pg_table(table)};" for table in _tables(rules)]
        # Old row versions also sit in the WAL: switching segments and checkpointing lets
        # the server recycle those written before the masking.
        rewrite = " ".join(
            ["BEGIN;", "SET LOCAL session_replication_role = replica;", *updates, "COMMIT;"]
        )
        return [rewrite, *compaction, "SELECT pg_switch_wal();", "CHECKPOINT;", "CHECKPOINT;"]

    def command(self, script: list[str], port: int, database: str) -> list[str]:
        # One -c per batch: VACUUM cannot run inside the transaction a multi-statement -c is.
        batches = [argument for batch in script for argument in ("-c", batch)]
        return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql",
                "-p", str(port), "-U", "postgres", "-d", database, *batches]  # fmt: skip

    @staticmethod
    def _replacement(rule: MaskRule, key: str) -> str:
        column = _pg_identifier(rule.column)
        digest = (
            f"encode(sha256(convert_to({_pg_string(key)} || ':' || {column}::text, 'UTF8')), 'hex')"
        )
        return _replacement(rule, column, digest, _pg_string, _pg_phone(digest), "||")


class MariaDBMasking(MaskingDialect):
    def script(self, rules: Sequence[MaskRule], key: str) -> list[str]:
        updates = []
        for table in _tables(rules):
            columns = [rule for rule in rules if rule.table == table]
            assignments = ", ".join(
                f"{sql_identifier(rule.column)} = {self._replacement(rule, key)}"
                for rule in columns
            )
            updates.append(f"UPDATE {_maria_table(table)} SET {assignments};")
        compaction = [f"OPTIMIZE TABLE {_maria_table(table)};" for table in _tables(rules)]
        rewrite = " ".join(["SET FOREIGN_KEY_CHECKS = 0;", *updates, "SET FOREIGN_KEY_CHECKS = 1;"])
        return [rewrite, *compaction, "FLUSH TABLES;"]

    def command(self, script: list[str], port: int, database: str) -> list[str]:
        return ["mariadb", "--no-defaults", "--socket=/run/mysqld/mysqld.sock", "--user=mysql",
                database, "-e", " ".join(script)]  # fmt: skip

    @staticmethod
    def _replacement(rule: MaskRule, key: str) -> str:
        column = sql_identifier(rule.column)
        digest = f"SHA2(CONCAT({sql_string(key)}, ':', {column}), 256)"
        phone = f"LPAD(CONV(LEFT({digest}, 8), 16, 10) % 10000000, 7, '0')"
        return _replacement(rule, column, digest, sql_string, phone, "CONCAT")


def _replacement(
    rule: MaskRule, column: str, digest: str, quote: Callable[[str], str], phone: str, concat: str
) -> str:
    """The SQL expression replacing `column` by `rule`, NULL kept NULL."""

    def joined(*parts: str) -> str:
        if concat == "||":
            return " || ".join(parts)
        return f"CONCAT({', '.join(parts)})"

    kind = rule.with_
    if kind == "null":
        return "NULL"
    if kind.startswith(FIXED):
        value = quote(kind[len(FIXED) :])
    elif kind == "redact":
        value = quote("REDACTED")
    elif kind == "email":
        value = joined(quote("user_"), f"LEFT({digest}, 16)", quote("@example.com"))
    elif kind == "name":
        value = joined(quote("Person "), f"UPPER(LEFT({digest}, 8))")
    elif kind == "phone":
        value = joined(quote("+1-555-"), phone)
    else:
        value = f"LEFT({digest}, 32)"
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE {value} END"


def _pg_phone(digest: str) -> str:
    return f"lpad(((('x' || left({digest}, 8))::bit(32)::bigint) % 10000000)::text, 7, '0')"


def _pg_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_table(table: str) -> str:
    return ".".join(_pg_identifier(part) for part in table.split(".", 1))


def _pg_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _maria_table(table: str) -> str:
    return ".".join(sql_identifier(part) for part in table.split(".", 1))


def sql_string(value: str) -> str:
    """A MariaDB string literal (backslashes are escapes there)."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def sql_identifier(value: str) -> str:
    return "`" + value.replace("`", "``") + "`"
