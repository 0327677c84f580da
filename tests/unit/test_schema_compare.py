"""Schema diff rules without an engine: reading the engines' JSON lines, comparing two
schemas, tidying dumps and diffing them."""

from __future__ import annotations

import json

import pytest

from app.domain.schema_compare import (
    Column,
    SchemaUnreadable,
    compare,
    parse_schema,
    tidy_dump,
    unified_diff,
)
from app.engines import Listen
from app.engines.base import SchemaObjects
from app.engines.mariadb import MariaDBSchemaReader
from app.engines.postgresql import PgSchemaReader


def lines(*rows: dict) -> str:
    return "\n".join(json.dumps(row) for row in rows) + "\n"


def column(table: str, name: str, type: str = "integer", nullable: bool = True,
           default: str | None = None) -> dict:  # fmt: skip
    return {"kind": "column", "table": table, "name": name, "type": type,
            "nullable": nullable, "default": default}  # fmt: skip


BEFORE = lines(
    {"kind": "table", "name": "public.users"},
    {"kind": "table", "name": "public.old_log"},
    column("public.users", "id", nullable=False),
    column("public.users", "plan", "text", default="'free'::text"),
    column("public.old_log", "line", "text"),
    {"kind": "index", "table": "public.users", "name": "public.users_pkey",
     "definition": "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)"},
    {"kind": "constraint", "table": "public.users", "name": "users_pkey",
     "definition": "PRIMARY KEY (id)"},
    {"kind": "function", "name": "public.f(a integer)", "routine": "FUNCTION",
     "definition": "select a + 1"},
)  # fmt: skip
AFTER = lines(
    {"kind": "table", "name": "public.users"},
    column("public.users", "id", nullable=False),
    column("public.users", "plan", "text", default="'pro'::text"),
    column("public.users", "age"),
    {"kind": "index", "table": "public.users", "name": "public.users_pkey",
     "definition": "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)"},
    {"kind": "index", "table": "public.users", "name": "public.users_age",
     "definition": "CREATE INDEX users_age ON public.users USING btree (age)"},
    {"kind": "view", "name": "public.adults", "definition": " SELECT id FROM users;"},
    {"kind": "function", "name": "public.f(a integer)", "routine": "FUNCTION",
     "definition": "select a + 2"},
)  # fmt: skip


def test_changes_are_what_after_has_and_before_had_not() -> None:
    changes = compare(parse_schema(BEFORE), parse_schema(AFTER))
    assert [t.name for t in changes.tables.removed] == ["public.old_log"]
    assert changes.tables.added == []
    [users] = changes.tables.changed
    assert users.name == "public.users"
    assert users.columns.added == [Column("age", "integer", True, None)]
    assert users.columns.removed == []
    [plan] = users.columns.changed
    assert (plan.before.default, plan.after.default) == ("'free'::text", "'pro'::text")
    assert [(i.name, i.table) for i in changes.indexes.added] == [
        ("public.users_age", "public.users")
    ]
    assert changes.indexes.removed == changes.indexes.changed == []
    assert [c.name for c in changes.constraints.removed] == ["users_pkey"]
    assert [v.name for v in changes.views.added] == ["public.adults"]
    [f] = changes.functions.changed
    assert (f.name, f.before, f.after) == ("public.f(a integer)", "select a + 1", "select a + 2")
    assert not changes.identical


def test_the_same_schema_is_identical_and_either_way_round_mirrors() -> None:
    assert compare(parse_schema(AFTER), parse_schema(AFTER)).identical
    back = compare(parse_schema(AFTER), parse_schema(BEFORE))
    assert [t.name for t in back.tables.added] == ["public.old_log"]
    assert [v.name for v in back.views.removed] == ["public.adults"]


def test_constraints_of_different_tables_may_share_a_name() -> None:
    schema = parse_schema(
        lines(
            {"kind": "constraint", "table": "a", "name": "PRIMARY", "definition": "(id)"},
            {"kind": "constraint", "table": "b", "name": "PRIMARY", "definition": "(k)"},
        )
    )  # fmt: skip
    assert len(schema.objects["constraints"]) == 2


def test_warnings_are_passed_over_and_a_changed_format_is_refused() -> None:
    assert parse_schema("Warning: something\n" + AFTER).tables.keys() == {"public.users"}
    with pytest.raises(SchemaUnreadable):
        parse_schema('{"kind": "column", "name": "x"}\n')


def test_dump_objects_name_tables_views_and_routines() -> None:
    assert parse_schema(AFTER).dump_objects() == SchemaObjects(
        tables=("public.users",),
        views=("public.adults",),
        routines=(("FUNCTION", "public.f(a integer)"),),
    )


def test_dumps_are_tidied_and_diffed() -> None:
    assert tidy_dump("a  \n\n\n\nb\n\n") == "a\n\nb\n"
    assert unified_diff("x\n", "x\n", "before", "after") == ""
    text = unified_diff("a\nb\n", "a\nc", "database main", "database branch")
    assert text.splitlines()[:2] == ["--- database main", "+++ database branch"]
    assert "-b\n" in text and "+c\n" in text and text.endswith("\n")


def test_postgresql_dump_loses_comments_and_its_random_restrict_key() -> None:
    dump = (
        "--\n-- PostgreSQL database dump\n\\restrict abc123\n"
        "CREATE TABLE t ();\n\\unrestrict abc123\n"
    )
    assert PgSchemaReader().dump_text(dump) == "CREATE TABLE t ();\n"


def test_mariadb_dump_keeps_only_the_statements_without_counters() -> None:
    output = (
        "-- stagdb-dump:TABLE\n"
        "users\tCREATE TABLE `users` (\n  `id` int(11) NOT NULL AUTO_INCREMENT\n"
        ") ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=latin1\n"
        "-- stagdb-dump:VIEW\n"
        "v\tCREATE VIEW `v` AS select 1\tutf8mb4\tutf8mb4_general_ci\n"
        "-- stagdb-dump:FUNCTION\n"
        "f\tSTRICT_TRANS_TABLES\tCREATE FUNCTION `f`() RETURNS int\n\tRETURN 1"
        "\tutf8mb4\tutf8mb4_general_ci\tlatin1_swedish_ci\n"
    )
    assert MariaDBSchemaReader().dump_text(output) == (
        "CREATE TABLE `users` (\n  `id` int(11) NOT NULL AUTO_INCREMENT\n"
        ") ENGINE=InnoDB DEFAULT CHARSET=latin1;\n\n"
        "CREATE VIEW `v` AS select 1;\n\n"
        "CREATE FUNCTION `f`() RETURNS int\n\tRETURN 1;\n"
    )
    command = MariaDBSchemaReader().dump_command(
        Listen("127.0.0.1", 3306),
        "app",
        SchemaObjects(tables=("users",), views=("v",), routines=(("FUNCTION", "f"),)),
    )
    statements = command[command.index("-e") + 1]
    assert "SHOW CREATE TABLE `users`;" in statements and "SHOW CREATE FUNCTION `f`;" in statements
