"""Lifecycle events of databases, published by the services to in-process subscribers
(GraphQL subscriptions watch a database become ready without polling)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

SUBSCRIBER_BUFFER = 100


@dataclass(frozen=True)
class DatabaseEvent:
    event: str
    database_id: str
    name: str
    status: str | None = None
    snapshot_id: str | None = None
    branch_id: str | None = None
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))


class EventBus:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[DatabaseEvent]]] = {}

    def publish(self, event: DatabaseEvent) -> None:
        for queue in self._subscribers.get(event.database_id, ()):
            if queue.full():
                queue.get_nowait()  # a slow watcher loses its oldest event, never blocks us
            queue.put_nowait(event)

    async def watch(self, database_id: str) -> AsyncIterator[DatabaseEvent]:
        queue: asyncio.Queue[DatabaseEvent] = asyncio.Queue(SUBSCRIBER_BUFFER)
        self._subscribers.setdefault(database_id, set()).add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            watchers = self._subscribers.get(database_id, set())
            watchers.discard(queue)
            if not watchers:
                self._subscribers.pop(database_id, None)
