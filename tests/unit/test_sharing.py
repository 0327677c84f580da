"""Shared rounds (app.domain.sharing): requests that arrive before a round is sealed share it,
those arriving after share the next one; a round's failure is every joiner's; nothing is
kept."""

from __future__ import annotations

import asyncio

import pytest

from app.domain import sharing
from app.domain.sharing import Seal, SharedRounds


def test_arrivals_before_the_seal_share_the_round_and_later_ones_the_next() -> None:
    async def main() -> None:
        rounds: SharedRounds[int] = SharedRounds()
        started: list[int] = []
        checkpointed, release = asyncio.Event(), asyncio.Event()

        async def work(seal: Seal) -> int:
            number = len(started) + 1
            started.append(number)
            await checkpointed.wait()
            seal()  # the image is taken from here on
            await release.wait()
            return number

        early = asyncio.ensure_future(rounds.join("parent", work))
        await asyncio.sleep(0)
        await asyncio.sleep(0)  # the first round has begun its work, not sealed yet
        joined = [asyncio.ensure_future(rounds.join("parent", work)) for _ in range(9)]
        await asyncio.sleep(0)
        checkpointed.set()
        await asyncio.sleep(0)
        await asyncio.sleep(0)  # sealed
        late = asyncio.ensure_future(rounds.join("parent", work))
        release.set()
        assert await asyncio.gather(early, *joined) == [1] * 10, "one round for all ten"
        assert await late == 2, "an arrival after the seal waits for a round of its own"
        assert len(started) == 2
        assert rounds._lanes == {}

    asyncio.run(main())


def test_arrivals_after_the_seal_share_the_next_one() -> None:
    async def main() -> None:
        rounds: SharedRounds[int] = SharedRounds()
        started: list[int] = []
        release = asyncio.Event()

        async def work(seal: Seal) -> int:
            number = len(started) + 1
            started.append(number)
            seal()
            await release.wait()
            return number

        first = asyncio.ensure_future(rounds.join("parent", work))
        await asyncio.sleep(0)
        await asyncio.sleep(0)  # the first round has begun its work
        assert started == [1]
        later = [asyncio.ensure_future(rounds.join("parent", work)) for _ in range(9)]
        other = asyncio.ensure_future(rounds.join("other-parent", work))
        await asyncio.sleep(0)
        release.set()
        assert await first == 1
        results = await asyncio.gather(*later, other)
        assert results[:9] == [results[0]] * 9, "the nine that waited shared one round"
        assert results[0] != 1, "none of them got the round sealed before they arrived"
        assert len(started) == 3  # parent: two rounds; other-parent: one
        assert rounds._lanes == {}

    asyncio.run(main())


def test_a_failed_round_fails_every_joiner_and_the_next_round_runs_afresh() -> None:
    async def main() -> None:
        rounds: SharedRounds[str] = SharedRounds()

        async def broken(seal: Seal) -> str:
            await asyncio.sleep(0)
            raise RuntimeError("snapshot failed")

        joiners = [asyncio.ensure_future(rounds.join("parent", broken)) for _ in range(3)]
        for joiner in joiners:
            with pytest.raises(RuntimeError, match="snapshot failed"):
                await joiner

        async def fine(seal: Seal) -> str:
            return "snap-1"

        assert await rounds.join("parent", fine) == "snap-1"

    asyncio.run(main())


def test_a_caller_going_away_does_not_cancel_the_round_for_the_others() -> None:
    async def main() -> None:
        rounds: SharedRounds[str] = SharedRounds()
        release = asyncio.Event()

        async def work(seal: Seal) -> str:
            await release.wait()
            return "snap-1"

        leaving = asyncio.ensure_future(rounds.join("parent", work))
        staying = asyncio.ensure_future(rounds.join("parent", work))
        await asyncio.sleep(0)
        leaving.cancel()
        release.set()
        assert await staying == "snap-1"

    asyncio.run(main())


def test_results_in_use_are_counted_until_released() -> None:
    async def main() -> None:
        rounds: SharedRounds[str] = SharedRounds()
        async with rounds.using("snap-1"):
            async with rounds.using("snap-1"):
                assert rounds.in_use("snap-1")
            assert rounds.in_use("snap-1")
        assert not rounds.in_use("snap-1")

    asyncio.run(main())


def test_a_round_waits_for_the_requests_announced_before_it_and_shares_with_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sharing, "GATHER_LIMIT_S", 5.0)

    async def main() -> None:
        rounds: SharedRounds[int] = SharedRounds()
        started: list[int] = []

        async def work(seal: Seal) -> int:
            started.append(len(started) + 1)
            seal()  # sealed at once: only those that joined before the work began share it
            return started[-1]

        async def request(own_work_s: float) -> int:
            with rounds.arriving("parent") as arrival:
                await asyncio.sleep(own_work_s)  # its row, written after the others'
                return await arrival.join(work)

        shared = await asyncio.gather(*(request(0.01 * n) for n in range(5)))
        assert shared == [1] * 5, "the first round waited for the four announced after it"
        assert rounds._coming == {}

    asyncio.run(main())


def test_an_announced_request_that_never_joins_holds_a_round_back_only_briefly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sharing, "GATHER_LIMIT_S", 0.3)

    async def main() -> None:
        rounds: SharedRounds[int] = SharedRounds()

        async def work(seal: Seal) -> int:
            seal()
            return 1

        async def stays_away() -> None:
            with rounds.arriving("parent"):
                await asyncio.sleep(30)  # fails its validation late, say

        away = asyncio.ensure_future(stays_away())
        await asyncio.sleep(0)
        started = asyncio.get_running_loop().time()
        with rounds.arriving("parent") as arrival:
            assert await arrival.join(work) == 1
        waited = asyncio.get_running_loop().time() - started
        assert 0.3 <= waited < 15, "held back by the gathering limit, not by the absent one"
        away.cancel()
        with pytest.raises(asyncio.CancelledError):
            await away
        assert rounds._coming == {}

    asyncio.run(main())


def test_a_lone_announced_request_waits_for_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sharing, "GATHER_LIMIT_S", 30.0)

    async def main() -> None:
        rounds: SharedRounds[int] = SharedRounds()
        waited: list[float] = []

        async def work(seal: Seal) -> int:
            waited.append(asyncio.get_running_loop().time() - started)
            seal()
            return 1

        started = asyncio.get_running_loop().time()
        with rounds.arriving("parent") as arrival:
            assert await arrival.join(work) == 1
        assert waited[0] < 15, "nobody else was announced: no wait for the limit"

    asyncio.run(main())
