// When a failed attempt is tried again, and after how long.

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

/** Rate limits, busy resources and network failures are worth another attempt. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 409;
}

/**
 * The wait before retry number `retry` (0 for the first): the server's Retry-After when it
 * gave one, else exponential back-off from 0.5 s capped at 8 s, with the upper half jittered
 * so that clients refused together do not come back together.
 */
export function retryDelayMs(retry: number, retryAfterSeconds: number | undefined): number {
  if (retryAfterSeconds !== undefined) {
    return retryAfterSeconds * 1000;
  }
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** retry);
  return ceiling / 2 + Math.random() * (ceiling / 2);
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
