"""Shared rounds (app.domain.sharing): requests that arrive before a round is sealed share it,
those arriving after share the next one; a round's failure is every joiner's; nothing is
kept."""

from __future__ import annotations

import asyncio

import pytest

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
