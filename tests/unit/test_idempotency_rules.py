"""Idempotency-key rules (app.domain.idempotency) on a real SQLite metadata database made by
the shipped migrations: claims, replays, mismatches, busy keys, freed keys, take-over and
pruning."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.domain.idempotency import (
    IN_PROGRESS,
    IdempotencyService,
    RequestFingerprint,
    validate_key,
)
from app.errors import ResourceBusyError, ValidationError
from app.models import IdempotencyKey
from tests.unit.metadata import sqlite_metadata

CREATE_BODY = b'{"name":"a","type":"postgresql"}'
CREATE = RequestFingerprint.of("POST", "/v1/databases", CREATE_BODY)


def run(tmp_path: Path, body: Callable[[IdempotencyService], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with sqlite_metadata(tmp_path):
            return await body(IdempotencyService())

    return asyncio.run(main())


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "é", "line\n"])
def test_keys_must_be_1_to_255_printable_ascii_characters(key: str) -> None:
    with pytest.raises(ValidationError, match="1 to 255 printable ASCII"):
        validate_key(key)


@pytest.mark.parametrize("key", ["a", "x" * 255, "5f0c2a4e-8d1b-4c3e-9a7f-2b6d8e1f0a93", " ~!"])
def test_valid_keys_pass(key: str) -> None:
    assert validate_key(key) == key


def test_overlong_paths_are_refused_not_stored(tmp_path: Path) -> None:
    async def body(service: IdempotencyService) -> None:
        overlong = RequestFingerprint.of("POST", "/v1/databases/" + "x" * 2100 + "/start", b"")
        with pytest.raises(ValidationError, match="longer than 2048"):
            await service.claim("key-a", "k0", overlong)

    run(tmp_path, body)


def test_a_finished_answer_is_replayed_and_binds_the_key(tmp_path: Path) -> None:
    async def body(service: IdempotencyService) -> None:
        first = await service.claim("key-a", "k1", CREATE)
        assert first.answer is None
        await service.complete(first, 201, b'{"success":true}')
        again = await service.claim("key-a", "k1", CREATE)
        assert again.answer is not None
        assert (again.answer.status, again.answer.body) == (201, b'{"success":true}')
        other_body = RequestFingerprint.of("POST", "/v1/databases", b'{"name":"b"}')
        with pytest.raises(ValidationError, match="already used for another request"):
            await service.claim("key-a", "k1", other_body)
        other_path = RequestFingerprint.of("POST", "/v1/webhooks", CREATE_BODY)
        with pytest.raises(ValidationError, match="already used for another request"):
            await service.claim("key-a", "k1", other_path)
        # Another API key has keys of its own.
        assert (await service.claim("key-b", "k1", CREATE)).answer is None

    run(tmp_path, body)


def test_a_running_call_makes_its_key_busy(tmp_path: Path) -> None:
    async def body(service: IdempotencyService) -> None:
        claim = await service.claim("key-a", "k2", CREATE)
        with pytest.raises(ResourceBusyError, match="still in progress"):
            await service.claim("key-a", "k2", CREATE)
        await service.complete(claim, 400, b"{}")  # a 4xx answer is kept like any other
        assert (await service.claim("key-a", "k2", CREATE)).answer is not None

    run(tmp_path, body)


@pytest.mark.parametrize("status", [409, 429])
def test_busy_and_rate_limited_answers_free_the_key_for_a_retry(
    tmp_path: Path, status: int
) -> None:
    async def body(service: IdempotencyService) -> None:
        claim = await service.claim("key-a", "k4", CREATE)
        await service.complete(claim, status, b"{}")
        assert (await service.claim("key-a", "k4", CREATE)).answer is None

    run(tmp_path, body)


def test_server_errors_and_interrupted_calls_free_the_key(tmp_path: Path) -> None:
    async def body(service: IdempotencyService) -> None:
        claim = await service.claim("key-a", "k3", CREATE)
        await service.complete(claim, 500, b"{}")
        retried = await service.claim("key-a", "k3", CREATE)
        assert retried.answer is None
        await service.release(retried)
        assert (await service.claim("key-a", "k3", CREATE)).answer is None

    run(tmp_path, body)


def test_keys_of_ended_processes_and_stale_calls_are_taken_over(tmp_path: Path) -> None:
    async def body(service: IdempotencyService) -> None:
        await service.claim("key-a", "k4", CREATE)
        await IdempotencyKey.filter(key="k4").update(owner="elsewhere-gone:1:1")
        with pytest.raises(ResourceBusyError):  # another machine's call: still alive
            await service.claim("key-a", "k4", CREATE)
        long_ago = datetime.now(UTC) - timedelta(minutes=11)
        await IdempotencyKey.filter(key="k4").update(created_at=long_ago)
        assert (await service.claim("key-a", "k4", CREATE)).answer is None

        await service.claim("key-a", "k5", CREATE)
        await IdempotencyKey.filter(key="k5").update(owner=f"{socket.gethostname()}:999999:1")
        assert (await service.claim("key-a", "k5", CREATE)).answer is None  # its pid is gone

    run(tmp_path, body)


def test_expired_keys_are_pruned_and_reusable(tmp_path: Path) -> None:
    async def body(service: IdempotencyService) -> None:
        claim = await service.claim("key-a", "k6", CREATE)
        await service.complete(claim, 201, b"{}")
        await service.claim("key-a", "k7", CREATE)
        expired = datetime.now(UTC) - timedelta(seconds=1)
        await IdempotencyKey.filter(key__in=["k6", "k7"]).update(expires_at=expired)
        assert await service.prune() == 2
        assert await IdempotencyKey.all().count() == 0
        fresh = await service.claim("key-a", "k6", CREATE)
        assert fresh.answer is None
        row = await IdempotencyKey.get(id=fresh.record_id)
        assert row.status == IN_PROGRESS
        assert row.expires_at > datetime.now(UTC) + timedelta(hours=23)

    run(tmp_path, body)
