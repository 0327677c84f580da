"""Engines that exit while their database waits for them to start, as Docker's event stream
tells it: a start-up wait learns of the exit at once, and asks Docker itself only now and then
(for an event missed while the stream reconnects), not every quarter second."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# The actions of Docker's event stream that end a container's engine.
ENDING_ACTIONS = frozenset({"die", "oom", "destroy"})


class StartupExits:
    def __init__(self) -> None:
        self._lock = threading.Lock()  # reports come from the event stream's thread
        self._ended: dict[str, bool] = {}  # database id → its engine ended, while waited for
        self._streams = 0

    @property
    def followed(self) -> bool:
        """Whether an event stream is being followed: reports can be expected."""
        return self._streams > 0

    @contextmanager
    def following(self) -> Iterator[None]:
        """Around one follow of the event stream."""
        with self._lock:
            self._streams += 1
        try:
            yield
        finally:
            with self._lock:
                self._streams -= 1

    @contextmanager
    def waiting_for(self, database_id: str) -> Iterator[Callable[[], bool]]:
        """For one start-up wait: yields a check of whether the database's container ended
        since the last check (an older container's end may be reported late: the wait then
        asks Docker about its own container once, not on every poll)."""
        with self._lock:
            self._ended[database_id] = False

        def ended() -> bool:
            with self._lock:
                reported = self._ended.get(database_id, False)
                self._ended[database_id] = False
            return reported

        try:
            yield ended
        finally:
            with self._lock:
                self._ended.pop(database_id, None)

    def report(self, database_id: str | None, action: str) -> None:
        """What the event stream says happened to the container of `database_id`."""
        if database_id is None or action not in ENDING_ACTIONS:
            return
        with self._lock:
            if database_id in self._ended:
                self._ended[database_id] = True
