"""API keys: each belongs to one project with one scope; created once and shown once (only
a SHA-256 hash is stored); revoked or expired keys open nothing, from the next request on."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.ids import looks_like_id, new_id
from app.domain.pagination import Page, PageRequest
from app.domain.tenancy import Access, Scope
from app.errors import NotFoundError, UnauthorizedError, ValidationError
from app.models import DEFAULT_PROJECT_ID, ApiKey, Project

KEY_PREFIX = "sdb_"
LAST_USED_PRECISION_S = 60  # last_used_at is written at most once a minute per key


@dataclass(frozen=True)
class Principal:
    key_id: str
    name: str
    project_id: str = DEFAULT_PROJECT_ID
    scope: Scope = Scope.ADMIN

    @property
    def access(self) -> Access:
        return Access(project_id=self.project_id, scope=self.scope, key_id=self.key_id)


@dataclass(frozen=True)
class KeyView:
    id: str
    name: str
    project_id: str
    scope: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class CreatedKey:
    view: KeyView
    key: str

    @property
    def id(self) -> str:
        return self.view.id


@dataclass(frozen=True)
class NewKey:
    name: str
    scope: str = "write"
    project_id: str | None = None
    expires_at: datetime | None = None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_scope(value: object) -> Scope:
    try:
        return Scope(str(value))
    except ValueError:
        raise ValidationError("scope must be one of " + ", ".join(s.value for s in Scope)) from None


class ApiKeyService:
    def __init__(self) -> None:
        self._last_used_written: dict[str, float] = {}

    async def create(self, new: NewKey) -> CreatedKey:
        name = new.name.strip()
        if not 1 <= len(name) <= 100:
            raise ValidationError("An API key name must be 1 to 100 characters long")
        scope = parse_scope(new.scope)
        project_id = new.project_id or DEFAULT_PROJECT_ID
        if not await Project.exists(id=project_id):
            raise NotFoundError(f"Project '{project_id}' not found")
        if new.expires_at is not None and new.expires_at <= datetime.now(UTC):
            raise ValidationError("expires_at must be in the future")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        row = await ApiKey.create(
            id=new_id("key"),
            project_id=project_id,
            name=name,
            scope=scope.value,
            prefix=key[: len(KEY_PREFIX) + 6],
            key_hash=hash_key(key),
            expires_at=new.expires_at,
        )
        return CreatedKey(view=view(row), key=key)

    async def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise UnauthorizedError("Missing API key: send it as 'Authorization: Bearer <key>'")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise UnauthorizedError("Malformed Authorization header: use 'Bearer <key>'")
        row = await ApiKey.get_or_none(key_hash=hash_key(token.strip()))
        if row is None or not usable(row):
            raise UnauthorizedError(_refusal(row))
        await self._mark_used(row.id)
        return Principal(
            key_id=row.id, name=row.name, project_id=row.project_id, scope=Scope(row.scope)
        )

    async def still_valid(self, key_id: str) -> bool:
        row = await ApiKey.get_or_none(id=key_id)
        return row is not None and usable(row)

    async def list(self, project_id: str | None, page: PageRequest) -> Page[KeyView]:
        query = ApiKey.all() if project_id is None else ApiKey.filter(project_id=project_id)
        total = await query.count()
        rows = await query.order_by("created_at", "id").offset(page.offset).limit(page.limit)
        return Page(items=[view(row) for row in rows], request=page, total=total)

    async def get(self, key_id: str) -> KeyView:
        return view(await self._find(key_id))

    async def revoke(self, key_id: str) -> KeyView:
        row = await self._find(key_id)
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
            await row.save(update_fields=["revoked_at"])
        return view(row)

    async def count(self) -> int:
        return await ApiKey.all().count()

    async def _find(self, key_id: str) -> ApiKey:
        row = await ApiKey.get_or_none(id=key_id) if looks_like_id("key", key_id) else None
        if row is None:
            raise NotFoundError(f"API key '{key_id}' not found")
        return row

    async def _mark_used(self, key_id: str) -> None:
        now = time.monotonic()
        if (
            now - self._last_used_written.get(key_id, -LAST_USED_PRECISION_S)
            < LAST_USED_PRECISION_S
        ):
            return
        self._last_used_written[key_id] = now
        await ApiKey.filter(id=key_id).update(last_used_at=datetime.now(UTC))


def usable(row: ApiKey) -> bool:
    if row.revoked_at is not None:
        return False
    return row.expires_at is None or row.expires_at > datetime.now(UTC)


def _refusal(row: ApiKey | None) -> str:
    if row is None:
        return "Invalid API key"
    if row.revoked_at is not None:
        return "This API key was revoked"
    return "This API key has expired"


def view(row: ApiKey) -> KeyView:
    return KeyView(
        id=row.id,
        name=row.name,
        project_id=row.project_id,
        scope=row.scope,
        prefix=row.prefix,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )
