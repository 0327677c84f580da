"""Two independent steps of one operation run concurrently, both ended before it goes on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")


async def both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Await both at once; once both have ended, raise the first one's failure, if any.

    Unlike a bare `asyncio.gather`, nothing is still running when the caller starts undoing
    what the steps did: a rollback never races the step it undoes."""
    one, other = await asyncio.gather(first, second, return_exceptions=True)
    if isinstance(one, BaseException):
        raise one
    if isinstance(other, BaseException):
        raise other
    return one, other
