"""Secrets at rest: database passwords and webhook secrets are stored sealed (Fernet:
AES-128-CBC with an HMAC-SHA256) under this install's secret key, so the metadata database
alone, or a copy of it, gives none of them away.

The key comes from STAGDB_SECRET_KEY or, when that is unset, from `secret.key` in the data
dir (made on first start, mode 0600). Replicas sharing a PostgreSQL metadata database must
share the key. Values written before sealing existed are read as they are and sealed by
`seal_legacy_values` at start-up.

`stagdb secrets rotate` re-seals every value under a new key in one transaction. The new key
is written to `secret.key.next` first and replaces `secret.key` only once the transaction
has committed; a rotation cut short in between leaves both files, and both keys open values
until the next rotation finishes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from tortoise import Tortoise, fields
from tortoise.models import Model
from tortoise.transactions import in_transaction

from app.config import Settings

PREFIX = "sealed:v1:"
KEY_FILE = "secret.key"
NEXT_KEY_FILE = "secret.key.next"


class SealingError(Exception):
    """The secret key is missing, malformed, or not the one the values were sealed with."""


class _Sealer:
    fernet: Fernet | MultiFernet | None = None

    def seal(self, plain: str) -> str:
        return PREFIX + self._require().encrypt(plain.encode()).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored  # written before sealing existed
        try:
            return self._require().decrypt(stored.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise SealingError(
                "a sealed secret does not open with this key: is STAGDB_SECRET_KEY (or the "
                "data dir's secret.key) the one the metadata was written with?"
            ) from None

    def _require(self) -> Fernet | MultiFernet:
        if self.fernet is None:
            raise SealingError("no secret key is configured")
        return self.fernet


SEALER = _Sealer()


def configure_sealing(data_dir: Path, key: str | None) -> None:
    """Use `key` (STAGDB_SECRET_KEY), else the data dir's key file, made when missing; the
    key of a rotation cut short opens values too."""
    if not key:
        key = _key_file(data_dir)
    current = fernet_of(key)
    pending = data_dir / NEXT_KEY_FILE
    SEALER.fernet = (
        MultiFernet([current, fernet_of(pending.read_text())]) if pending.exists() else current
    )


def fernet_of(key: str) -> Fernet:
    try:
        return Fernet(key.strip().encode())
    except ValueError:
        raise SealingError(
            "STAGDB_SECRET_KEY must be 32 url-safe base64-encoded bytes "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')"
        ) from None


def write_private(path: Path, text: str) -> None:
    """Write `path` (mode 0600 from its first byte) by replacing it whole."""
    draft = path.with_name(path.name + ".draft")
    draft.unlink(missing_ok=True)
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(draft, path)


def sealed_columns() -> list[tuple[type[Model], str]]:
    """Every (model, column) that holds sealed values."""
    return [
        (model, field.source_field or name)
        for app in Tortoise.apps.values()
        for model in app.values()
        for name, field in model._meta.fields_map.items()
        if isinstance(field, SealedField)
    ]


async def reseal_all(new: Fernet) -> int:
    """Open every sealed (or legacy plain) value with the configured key and seal it under
    `new`, all in one transaction; answers how many values were re-sealed."""
    count = 0
    async with in_transaction() as connection:
        for model, column in sealed_columns():
            table = model._meta.db_table
            _, rows = await connection.execute_query(
                f'SELECT "id", "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
            )
            for row in rows:
                plain = SEALER.open(str(row[column]))
                resealed = PREFIX + new.encrypt(plain.encode()).decode()
                await model.filter(id=row["id"]).using_db(connection).update(**{column: resealed})
                count += 1
    return count


def _key_file(data_dir: Path) -> str:
    path = data_dir / KEY_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()  # another process made it first
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


async def seal_legacy_values() -> None:
    """Check the key opens what is sealed (SealingError if not: starting with the wrong key
    would lose every secret), then seal what was stored in plain text before sealing existed
    (update() seals values)."""
    from app.models import Database, Webhook

    for model, column in ((Database, "password"), (Webhook, "secret")):
        connection, table = model._meta.db, model._meta.db_table
        sealed = f"\"{column}\" LIKE '{PREFIX}%'"  # constants only: no dialect's parameters
        _, sample = await connection.execute_query(
            f'SELECT "{column}" FROM "{table}" WHERE {sealed} LIMIT 1'
        )
        for row in sample:
            SEALER.open(str(row[column]))
        _, plain = await connection.execute_query(
            f'SELECT "id", "{column}" FROM "{table}" WHERE NOT ({sealed})'
        )
        for row in plain:
            await model.filter(id=row["id"]).update(**{column: row[column]})


def keep_private(settings: Settings) -> None:
    """The data dir and an SQLite metadata file are readable by their owner only."""
    os.chmod(settings.data_dir, 0o700)
    if settings.database_url.startswith("sqlite://"):
        path = Path(settings.database_url.removeprefix("sqlite://"))
        for candidate in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            if candidate.exists():
                os.chmod(candidate, 0o600)


class SealedField(fields.TextField):
    """A text column whose values are sealed on the way in and opened on the way out."""

    def to_db_value(self, value: Any, instance: Any) -> Any:
        if value is None or (isinstance(value, str) and value.startswith(PREFIX)):
            return value
        return SEALER.seal(str(value))

    def to_python_value(self, value: Any) -> Any:
        if value is None:
            return None
        return SEALER.open(str(value))
