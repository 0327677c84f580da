"""Mutating operations run to completion even when the client goes away mid-request."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def to_completion(work: Awaitable[T]) -> T:
    """Await `work` shielded from cancellation, so a dropped connection cannot leave it
    half-done: the operation finishes (or rolls back) on its own either way."""
    return await asyncio.shield(asyncio.ensure_future(work))
