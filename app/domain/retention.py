"""Retention: rows kept only for a while (dispatched events, finished webhook deliveries and
operations, idempotency keys, spent rate-limit windows, audit entries) are deleted once older
than STAGDB_RETENTION. Each kind is one `Rule` in `RULES`; keeping another table bounded is
one more line there. `JobBook` runs the pruning as an install-wide leased job, so one replica
does each round."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.models import Model

from app.domain.operations import FAILED as OPERATION_FAILED
from app.domain.operations import SUCCEEDED
from app.domain.ratelimits import WINDOW_S
from app.domain.webhooks import DELIVERED
from app.domain.webhooks import FAILED as DELIVERY_FAILED
from app.models import (
    AuditEntry,
    Event,
    IdempotencyKey,
    Operation,
    RateCounter,
    WebhookDelivery,
)

log = logging.getLogger(__name__)
LONGEST_PAUSE_S = 3600  # pruning runs at least hourly, and as often as the retention itself


def _moment(cutoff: datetime) -> object:
    return cutoff


def _window_start(cutoff: datetime) -> object:
    """Rate-limit windows are stored by their start (unix seconds): one is old once it
    ended before the cutoff."""
    return int(cutoff.timestamp()) - WINDOW_S


@dataclass(frozen=True)
class Rule:
    """Rows of `model` whose `timestamp` lies before the cutoff and that meet `condition`."""

    model: type[Model]
    timestamp: str
    condition: Q = field(default_factory=Q)
    value_of: Callable[[datetime], object] = _moment

    def older_than(self, cutoff: datetime) -> Q:
        before: dict[str, Any] = {f"{self.timestamp}__lt": self.value_of(cutoff)}
        return Q(**before) & self.condition


RULES: tuple[Rule, ...] = (
    Rule(Event, "created_at", Q(dispatched_at__isnull=False)),  # fanned out to webhooks
    Rule(WebhookDelivery, "created_at", Q(status__in=[DELIVERED, DELIVERY_FAILED])),
    Rule(Operation, "finished_at", Q(status__in=[SUCCEEDED, OPERATION_FAILED])),
    Rule(IdempotencyKey, "created_at"),
    Rule(RateCounter, "window_start", value_of=_window_start),
    Rule(AuditEntry, "at"),
)


class Retention:
    def __init__(self, max_age_s: int, rules: Sequence[Rule] = RULES) -> None:
        self.max_age_s = max_age_s
        self.rules = tuple(rules)

    @property
    def every_s(self) -> int:
        return min(self.max_age_s, LONGEST_PAUSE_S)

    async def prune(self, now: datetime | None = None) -> dict[str, int]:
        """Delete what each rule finds too old; answers how many rows per table."""
        cutoff = (now or datetime.now(UTC)).timestamp() - self.max_age_s
        moment = datetime.fromtimestamp(cutoff, UTC)
        removed: dict[str, int] = {}
        for rule in self.rules:
            count = await rule.model.filter(rule.older_than(moment)).delete()
            removed[rule.model._meta.db_table] = count
        if any(removed.values()):
            log.info("retention removed %s", removed)
        return removed
