"""Masking rules as callers give them and as a database's row keeps them.

A rule is {"table", "column", "with"}; `with` is email, name, phone, hash, null, redact or
fixed:<value>. Replacements are keyed by a secret made per database (sealed at rest), so
the same value masks the same way across its copies and nobody without the key can tell
originals from masked values."""

from __future__ import annotations

import re
import secrets

from app.engines.masking import FIXED, REPLACEMENTS, MaskRule
from app.errors import ValidationError
from app.models import Database

MAX_RULES = 200
# schema.table or table; column: plain SQL names (quoted when used).
TABLE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$")
COLUMN_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
FIXED_MAX = 200


def parse_rules(value: object) -> list[MaskRule] | None:
    """`masking_rules` as a caller gives them; null clears them."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_RULES:
        raise ValidationError(f"masking_rules must be a list of at most {MAX_RULES} rules")
    rules = [_rule(item, index) for index, item in enumerate(value)]
    seen = [(rule.table, rule.column) for rule in rules]
    if len(seen) != len(set(seen)):
        raise ValidationError("masking_rules name a table's column more than once")
    return rules


def _rule(item: object, index: int) -> MaskRule:
    where = f"masking_rules[{index}]"
    if not isinstance(item, dict) or set(item) != {"table", "column", "with"}:
        raise ValidationError(f'{where} must be {{"table", "column", "with"}}')
    table, column, kind = item["table"], item["column"], item["with"]
    if not isinstance(table, str) or not TABLE_PATTERN.fullmatch(table):
        raise ValidationError(f"{where}.table must be a table name such as users or app.users")
    if not isinstance(column, str) or not COLUMN_PATTERN.fullmatch(column):
        raise ValidationError(f"{where}.column must be a column name")
    fixed = isinstance(kind, str) and kind.startswith(FIXED) and len(kind) <= FIXED_MAX
    if not (kind in REPLACEMENTS or fixed):
        raise ValidationError(
            f"{where}.with must be one of {', '.join(REPLACEMENTS)} or fixed:<value>"
        )
    return MaskRule(table, column, str(kind))


def columns_for(rules: list[MaskRule] | None, key: str | None) -> dict[str, object]:
    """The row's masking columns for `rules` (a key is made the first time)."""
    if rules is None:
        return {"masking_rules": None, "masking_key": key}
    stored = [{"table": r.table, "column": r.column, "with": r.with_} for r in rules]
    return {"masking_rules": stored, "masking_key": key or secrets.token_urlsafe(32)}


def rules_of(row: Database) -> list[MaskRule]:
    return [MaskRule(r["table"], r["column"], r["with"]) for r in row.masking_rules or []]
