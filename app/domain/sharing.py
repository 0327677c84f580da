"""Shared snapshots: branch requests on one parent that arrive together use one snapshot.

It works like a database's group commit. A round gathers the requests that arrive until its
work reaches the moment its result is fixed (for a snapshot: the instant the image is taken)
and calls `seal`; requests arriving after that gather for the next round, which runs as soon
as the current one is done. Every request therefore gets a snapshot whose image was taken
after it arrived, holding every transaction committed before its call began, exactly as when
each took its own; only the number of snapshots (and of checkpoints and parent-lock rounds)
drops. Ten requests arriving within the first round's checkpoint all share that round.

A request can also announce itself on arrival (`arriving`), before the work of its own that
comes first (for a branch: its row). A round about to start waits for the requests announced
for its key to join, at most `GATHER_LIMIT_S`: ten requests that arrive together then share
one round although their rows are written one after another. A lone request waits for
nobody.

Rounds are per process: replicas each share among their own requests, and the parent's lock
(taken inside each round) still orders them against one another.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
# Called by a round's work at the moment its result is fixed: later arrivals join the next.
Seal = Callable[[], None]
GATHER_LIMIT_S = 0.1  # the longest a round waits for announced requests to join


@dataclass
class _Lane(Generic[T]):
    """One parent's rounds: the one being taken holds `turn`; `gathering` collects joiners of
    the round not sealed yet (the running one until it seals, else the next)."""

    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    gathering: asyncio.Future[T] | None = None


class SharedRounds(Generic[T]):
    """Group commit of one kind of work per key; see the module docstring."""

    def __init__(self) -> None:
        self._lanes: dict[str, _Lane[T]] = {}
        self._users: Counter[str] = Counter()
        self._coming: Counter[str] = Counter()  # announced per key, not joined yet
        self._all_came: dict[str, asyncio.Event] = {}
        self._rounds: set[asyncio.Future[None]] = set()  # held so a running round is not collected

    async def join(self, key: str, work: Callable[[Seal], Awaitable[T]]) -> T:
        """The result of a round of `work` for `key` that is sealed after this call began.

        The first caller of a round runs `work` (its own) for everyone who joins before the
        work calls its `seal` argument (or ends); a failure of the round is every joiner's
        failure. The round runs in its own task, so a caller that goes away does not take
        the others' result with it."""
        lane = self._lanes.setdefault(key, _Lane())
        gathering = lane.gathering
        if gathering is None:
            gathering = lane.gathering = asyncio.get_running_loop().create_future()
            self._rounds.add(asyncio.ensure_future(self._run_round(key, lane, gathering, work)))
        return await asyncio.shield(gathering)

    @contextlib.contextmanager
    def arriving(self, key: str) -> Iterator[Arrival[T]]:
        """Announce a caller that will join a round of `key` after work of its own; its
        `join` counts as its arrival, and so does leaving the block without joining."""
        self._coming[key] += 1
        arrival = Arrival(self, key)
        try:
            yield arrival
        finally:
            if not arrival.joined:
                self._arrived(key)

    def _arrived(self, key: str) -> None:
        self._coming[key] -= 1
        if self._coming[key] <= 0:
            del self._coming[key]
            if key in self._all_came:
                self._all_came[key].set()

    async def _until_the_announced_join(self, key: str) -> None:
        if not self._coming[key]:
            return
        everyone = self._all_came.setdefault(key, asyncio.Event())
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(everyone.wait(), GATHER_LIMIT_S)
        finally:
            self._all_came.pop(key, None)

    async def _run_round(
        self,
        key: str,
        lane: _Lane[T],
        gathering: asyncio.Future[T],
        work: Callable[[Seal], Awaitable[T]],
    ) -> None:
        def seal() -> None:
            if lane.gathering is gathering:
                lane.gathering = None  # from here on, arrivals gather for the next round

        try:
            async with lane.turn:
                try:
                    await self._until_the_announced_join(key)
                    result = await work(seal)
                    seal()
                    gathering.set_result(result)
                except asyncio.CancelledError:
                    seal()
                    gathering.cancel()
                    raise
                except BaseException as exc:  # handed to every joiner, who re-raise it
                    seal()
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


class Arrival(Generic[T]):
    """A caller announced to a key's rounds (see `SharedRounds.arriving`)."""

    def __init__(self, rounds: SharedRounds[T], key: str) -> None:
        self._rounds = rounds
        self._key = key
        self.joined = False

    async def join(self, work: Callable[[Seal], Awaitable[T]]) -> T:
        if not self.joined:
            self.joined = True
            self._rounds._arrived(self._key)
        return await self._rounds.join(self._key, work)
