"""Fast unit tests of masking rules and the SQL each engine runs for them."""

from __future__ import annotations

import pytest

from app.domain.masking_rules import columns_for, parse_rules
from app.engines.masking import MariaDBMasking, MaskRule, PostgresMasking
from app.errors import ValidationError

RULES = [MaskRule("app.users", "email", "email"), MaskRule("users", "note", "fixed:it's")]


def test_rules_parse_and_get_a_key_once() -> None:
    rules = parse_rules([{"table": "app.users", "column": "email", "with": "email"}])
    assert rules == [MaskRule("app.users", "email", "email")]
    columns = columns_for(rules, None)
    assert columns["masking_rules"] == [{"table": "app.users", "column": "email", "with": "email"}]
    key = columns["masking_key"]
    assert isinstance(key, str) and len(key) >= 32
    assert columns_for(rules, "kept")["masking_key"] == "kept"
    assert parse_rules(None) is None
    assert columns_for(None, "kept") == {"masking_rules": None, "masking_key": "kept"}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ([{"table": "t", "column": "c", "with": "shuffle"}], "with must be one of"),
        ([{"table": "t;drop", "column": "c", "with": "hash"}], "table must be"),
        ([{"table": "t", "column": "c c", "with": "hash"}], "column must be"),
        ([{"table": "t", "column": "c"}], "must be"),
        ([{"table": "t", "column": "c", "with": "hash"}] * 2, "more than once"),
        ({"table": "t"}, "must be a list"),
        ([{"table": "t", "column": "c", "with": "fixed:" + "x" * 300}], "with must be one of"),
    ],
)
def test_bad_rules_say_why(value: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        parse_rules(value)


def test_postgres_masks_in_one_transaction_then_compacts() -> None:
    dialect = PostgresMasking()
    script = dialect.script(RULES, "k'ey")
    assert script[0].startswith("BEGIN; SET LOCAL session_replication_role = replica;")
    assert 'UPDATE "app"."users" SET "email" = CASE WHEN "email" IS NULL' in script[0]
    assert "'k''ey'" in script[0] and "'it''s'" in script[0]
    assert script[0].endswith("COMMIT;")
    assert 'VACUUM (FULL, ANALYZE) "app"."users";' in script
    assert 'VACUUM (FULL, ANALYZE) "users";' in script
    command = dialect.command(script, 15432, "app")
    assert command[command.index("-p") + 1] == "15432"
    assert command[command.index("-d") + 1] == "app"  # the database the URI names
    assert command.count("-c") == len(script)  # VACUUM needs a batch of its own


def test_mariadb_masks_with_foreign_key_checks_off_then_optimizes() -> None:
    script = MariaDBMasking().script(RULES, "key")
    assert script[0].startswith("SET FOREIGN_KEY_CHECKS = 0;")
    assert "UPDATE `app`.`users` SET `email` = CASE WHEN `email` IS NULL" in script[0]
    assert "SHA2(CONCAT('key', ':', `email`), 256)" in script[0]
    assert "'it\\'s'" in script[0]
    assert "OPTIMIZE TABLE `users`;" in script
