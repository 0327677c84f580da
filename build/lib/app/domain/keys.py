"""API keys: created once and shown once; only a SHA-256 hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from app.domain.ids import new_id
from app.errors import UnauthorizedError, ValidationError
from app.models import ApiKey

KEY_PREFIX = "sdb_"


@dataclass(frozen=True)
class CreatedKey:
    id: str
    name: str
    key: str
    created_at: datetime


@dataclass(frozen=True)
class Principal:
    key_id: str
    name: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyService:
    async def create(self, name: str) -> CreatedKey:
        name = name.strip()
        if not 1 <= len(name) <= 100:
            raise ValidationError("An API key name must be 1 to 100 characters long")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        row = await ApiKey.create(
            id=new_id("key"), name=name, prefix=key[: len(KEY_PREFIX) + 6], key_hash=hash_key(key)
        )
        return CreatedKey(id=row.id, name=row.name, key=key, created_at=row.created_at)

    async def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise UnauthorizedError("Missing API key: send it as 'Authorization: Bearer <key>'")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthorizedError("Malformed Authorization header: use 'Bearer <key>'")
        row = await ApiKey.get_or_none(key_hash=hash_key(token.strip()))
        if row is None:
            raise UnauthorizedError("Invalid API key")
        return Principal(key_id=row.id, name=row.name)

    async def count(self) -> int:
        return await ApiKey.all().count()
