"""A writer that commits numbered rows while the tests take snapshots and branches."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

# Opens a session and yields a function that commits row number n in its own transaction.
Session = Callable[[], AbstractContextManager[Callable[[int], object]]]


class NumberedWriter(threading.Thread):
    """Commits rows 1, 2, 3, … one transaction each, remembering the last acknowledged number."""

    def __init__(self, session: Session) -> None:
        super().__init__(daemon=True)
        self.session = session
        self.acknowledged = 0
        self.running = True

    def run(self) -> None:
        with self.session() as commit_row:
            while self.running:
                commit_row(self.acknowledged + 1)
                self.acknowledged += 1
