"""Undo steps of a multi-step operation in reverse order when a later step fails."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Undo = Callable[[], Awaitable[None]]


class Rollback:
    def __init__(self) -> None:
        self._steps: list[tuple[str, Undo]] = []

    def push(self, description: str, undo: Undo) -> None:
        self._steps.append((description, undo))

    def clear(self) -> None:
        self._steps.clear()

    async def run(self) -> None:
        """Undo every recorded step, newest first; a failing undo is logged, not raised."""
        while self._steps:
            description, undo = self._steps.pop()
            try:
                await undo()
            except Exception:
                log.exception("rollback step failed: %s", description)
