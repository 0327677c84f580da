// When a failed attempt is tried again, and after how long: the same rules as the Python SDK.

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A longer Retry-After is thrown at once rather than slept through. */
export const MAX_RETRY_AFTER_S = 60;

/** What came back from a failed attempt that had an answer. */
export interface FailedAnswer {
  status: number;
  /** Retry-After, in seconds, when the answer carried one. */
  retryAfter: number | undefined;
  /** The answer was a stored one replayed for the Idempotency-Key (`Idempotent-Replayed`). */
  replayed: boolean;
}

/** Exponential back-off with full jitter: uniformly up to 0.5 s × 2^retry, at most 8 s. */
export function backoffMs(retry: number): number {
  return Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** retry);
}

/**
 * The wait before retrying an answered attempt, or undefined when it is final:
 * RATE_LIMITED waits Retry-After (plus up to 0.5 s of jitter; back-off when there is none,
 * given up on when it is over a minute); RESOURCE_BUSY backs off, unless the server replayed
 * it for the Idempotency-Key, which makes it that call's final answer.
 */
export function retryDelayMs(failure: FailedAnswer, retry: number): number | undefined {
  if (failure.status === 429) {
    if (failure.retryAfter === undefined) {
      return backoffMs(retry);
    }
    if (failure.retryAfter > MAX_RETRY_AFTER_S) {
      return undefined;
    }
    return failure.retryAfter * 1000 + Math.random() * BASE_DELAY_MS;
  }
  if (failure.status === 409 && !failure.replayed) {
    return backoffMs(retry);
  }
  return undefined;
}

/** Retry-After in seconds; HTTP dates are allowed by the standard and read too. */
export function parseRetryAfter(header: string | null): number | undefined {
  if (header === null || header.trim() === "") {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return seconds;
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
