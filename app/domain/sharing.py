"""Shared snapshots: branch requests on one parent that arrive together use one snapshot.

It works like a database's group commit. While a snapshot of a parent is being taken, the
branch requests that arrive meanwhile wait together and share the next one, which is taken as
soon as the current one is done. Every request therefore gets a snapshot that began after it
arrived, holding every transaction committed before its call began, exactly as when each took
its own; only the number of snapshots (and of checkpoints and parent-lock rounds) drops.

Rounds are per process: replicas each share among their own requests, and the parent's lock
(taken inside each round) still orders them against one another.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class _Lane(Generic[T]):
    """One parent's rounds: the one being taken holds `turn`; `gathering` collects the next."""

    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    gathering: asyncio.Future[T] | None = None


class SharedRounds(Generic[T]):
    """Group commit of one kind of work per key; see the module docstring."""

    def __init__(self) -> None:
        self._lanes: dict[str, _Lane[T]] = {}
        self._users: Counter[str] = Counter()
        self._rounds: set[asyncio.Future[None]] = set()  # held so a running round is not collected

    async def join(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """The result of a round of `work` for `key` that starts after this call began.

        The first caller of a round runs `work` (its own) for everyone who joins before the
        round starts; a failure of the round is every joiner's failure. The round runs in its
        own task, so a caller that goes away does not take the others' result with it."""
        lane = self._lanes.setdefault(key, _Lane())
        gathering = lane.gathering
        if gathering is None:
            gathering = lane.gathering = asyncio.get_running_loop().create_future()
            self._rounds.add(asyncio.ensure_future(self._run_round(key, lane, gathering, work)))
        return await asyncio.shield(gathering)

    async def _run_round(
        self,
        key: str,
        lane: _Lane[T],
        gathering: asyncio.Future[T],
        work: Callable[[], Awaitable[T]],
    ) -> None:
        try:
            async with lane.turn:
                lane.gathering = None  # from here on, arrivals gather for the next round
                try:
                    gathering.set_result(await work())
                except asyncio.CancelledError:
                    gathering.cancel()
                    raise
                except BaseException as exc:  # handed to every joiner, who re-raise it
                    gathering.set_exception(exc)
                    gathering.exception()  # retrieved, even when every joiner went away
        finally:
            if lane.gathering is None and self._lanes.get(key) is lane:
                del self._lanes[key]  # no round waits behind this one
            self._rounds.discard(asyncio.current_task())  # type: ignore[arg-type]

    @contextlib.asynccontextmanager
    async def using(self, item: str) -> AsyncIterator[None]:
        """Mark `item` (a shared result's id) as in use by this process while the block runs."""
        self._users[item] += 1
        try:
            yield
        finally:
            self._users[item] -= 1
            if self._users[item] <= 0:
                del self._users[item]

    def in_use(self, item: str) -> bool:
        return self._users[item] > 0
