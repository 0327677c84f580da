"""When to try a call again, and how long to wait first: jittered exponential back-off on
RATE_LIMITED (honouring Retry-After), RESOURCE_BUSY and connection failures."""

from __future__ import annotations

import random
from dataclasses import dataclass

from stagdb.errors import ConnectionError, RateLimitedError, ResourceBusyError, StagDBError

BASE_S = 0.5
CAP_S = 8.0
DEFAULT_MAX_RETRIES = 3
MAX_RETRY_AFTER_S = 60.0  # a longer Retry-After is raised at once rather than slept through


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = DEFAULT_MAX_RETRIES
    base_s: float = BASE_S
    cap_s: float = CAP_S
    max_retry_after_s: float = MAX_RETRY_AFTER_S

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)] (attempt counts from 0)."""
        return random.uniform(0, min(self.cap_s, self.base_s * 2**attempt))

    def delay(self, error: StagDBError, attempt: int, replayed: bool = False) -> float | None:
        """Seconds to wait before retry number `attempt + 1`, or None: raise `error` now.

        A RESOURCE_BUSY that the server replayed for an Idempotency-Key is that call's final
        answer: trying again would only replay it once more."""
        if attempt >= self.max_retries:
            return None
        if isinstance(error, RateLimitedError):
            if error.retry_after is None:
                return self.backoff(attempt)
            if error.retry_after > self.max_retry_after_s:
                return None
            return error.retry_after + random.uniform(0, self.base_s)
        if isinstance(error, ResourceBusyError) and not replayed:
            return self.backoff(attempt)
        if isinstance(error, ConnectionError):
            return self.backoff(attempt)
        return None
