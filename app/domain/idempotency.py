"""Idempotency keys: a POST sent again with the same `Idempotency-Key` (per API key) is
answered from the first call's stored answer for 24 hours instead of being run twice.

Rules: the key is 1-255 printable ASCII characters; a key belongs to one request (method,
path, SHA-256 of the raw body), and reusing it for another is a VALIDATION_ERROR; while the
first call runs, the key is RESOURCE_BUSY; only finished answers below 500 are kept, so a
server error or an interrupted call frees the key: a call whose process has ended (a crash),
or that has run for longer than any call can, leaves its key to be taken over."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from app.domain.operations import THIS_PROCESS, owner_is_gone
from app.errors import ResourceBusyError, ValidationError
from app.models import IdempotencyKey

TRANSIENT_STATUSES = (409, 429)  # refusals that a retry may get past
KEY_MAX = 255
PATH_MAX = 2048  # the column's width; no route of the API comes near it
RETENTION = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=10)  # longer than any call runs: its process is gone
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
PRUNE_BATCH = 500


@dataclass(frozen=True)
class RequestFingerprint:
    method: str
    path: str
    body_sha256: str

    @classmethod
    def of(cls, method: str, path: str, body: bytes) -> RequestFingerprint:
        return cls(method.upper(), path, hashlib.sha256(body).hexdigest())


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: bytes


@dataclass(frozen=True)
class Claim:
    """The right to run a request under a key; `answer` is set when it already ran."""

    record_id: int
    answer: StoredAnswer | None = None


def validate_key(raw: str) -> str:
    if not 1 <= len(raw) <= KEY_MAX or not all(" " <= char <= "~" for char in raw):
        raise ValidationError(f"Idempotency-Key must be 1 to {KEY_MAX} printable ASCII characters")
    return raw


class IdempotencyService:
    def __init__(self, retention: timedelta = RETENTION) -> None:
        self.retention = retention

    async def claim(self, api_key_id: str, key: str, request: RequestFingerprint) -> Claim:
        """Start running `request` under `key`, or the stored answer of its first run."""
        validate_key(key)
        if len(request.path) > PATH_MAX:
            raise ValidationError(f"Request path is longer than {PATH_MAX} characters")
        await self.prune()
        while True:
            try:
                row = await IdempotencyKey.create(
                    api_key_id=api_key_id,
                    key=key,
                    method=request.method,
                    path=request.path,
                    body_sha256=request.body_sha256,
                    status=IN_PROGRESS,
                    owner=THIS_PROCESS,
                    expires_at=datetime.now(UTC) + self.retention,
                )
                return Claim(row.id)
            except IntegrityError:
                existing = await IdempotencyKey.get_or_none(api_key_id=api_key_id, key=key)
                if existing is None:  # freed or pruned meanwhile: try again
                    continue
                claim = await self._existing(existing, request)
                if claim is not None:
                    return claim

    async def _existing(self, row: IdempotencyKey, request: RequestFingerprint) -> Claim | None:
        now = datetime.now(UTC)
        abandoned = row.status == IN_PROGRESS and (
            owner_is_gone(row.owner) or row.created_at + ABANDONED_AFTER <= now
        )
        if row.expires_at <= now or abandoned:
            await IdempotencyKey.filter(id=row.id).delete()  # expired or abandoned: take over
            return None
        if (row.method, row.path, row.body_sha256) != (
            request.method,
            request.path,
            request.body_sha256,
        ):
            raise ValidationError(
                f"Idempotency-Key '{row.key}' was already used for another request "
                f"({row.method} {row.path} with a different body or path); use a new key"
            )
        if row.status == IN_PROGRESS:
            raise ResourceBusyError(
                f"A request with Idempotency-Key '{row.key}' is still in progress; retry later"
            )
        assert row.response_status is not None and row.response_body is not None
        return Claim(row.id, StoredAnswer(row.response_status, row.response_body.encode()))

    async def complete(self, claim: Claim, status: int, body: bytes) -> None:
        """Keep a finished answer. A server error, and the answers that only say "not now"
        (409 busy, 429 rate limited), free the key instead, so a retry with it is tried
        afresh rather than answered with the refusal again."""
        if status >= 500 or status in TRANSIENT_STATUSES:
            await self.release(claim)
            return
        await IdempotencyKey.filter(id=claim.record_id, status=IN_PROGRESS).update(
            status=COMPLETED, response_status=status, response_body=body.decode()
        )

    async def release(self, claim: Claim) -> None:
        await IdempotencyKey.filter(id=claim.record_id, status=IN_PROGRESS).delete()

    async def prune(self) -> int:
        """Remove expired keys (a bounded batch per call)."""
        expired = (
            await IdempotencyKey.filter(expires_at__lte=datetime.now(UTC))
            .limit(PRUNE_BATCH)
            .values_list("id", flat=True)
        )
        if not expired:
            return 0
        return await IdempotencyKey.filter(id__in=list(expired)).delete()
