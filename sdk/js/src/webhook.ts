// Checking that a webhook delivery came from StagDB: its signature, and that it is recent.
import { createHmac, timingSafeEqual } from "node:crypto";

import type { WebhookPayload } from "./types.js";

/** A delivery whose signature or timestamp does not hold up. */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
}

export type WebhookHeaders =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** How far a delivery's timestamp may be from this clock, in seconds. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

/**
 * Verifies a delivery and returns its parsed body. `body` must be the raw bytes (or text)
 * as received, before any JSON parsing; `headers` a fetch `Headers` or a Node headers
 * object. Throws WebhookVerificationError when the signature is not the HMAC-SHA256 of
 * `{timestamp}.{body}` keyed with `secret`, or the timestamp is more than 300 s away.
 */
export function verifyWebhook(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
): WebhookPayload {
  const timestamp = header(headers, "x-stagdb-timestamp");
  const signature = header(headers, "x-stagdb-signature");
  if (timestamp === undefined || !/^\d+$/.test(timestamp)) {
    throw new WebhookVerificationError("X-StagDB-Timestamp is missing or not unix seconds");
  }
  if (signature === undefined) {
    throw new WebhookVerificationError("X-StagDB-Signature is missing");
  }
  const raw = typeof body === "string" ? encoder.encode(body) : body;
  const mac = createHmac("sha256", secret).update(`${timestamp}.`).update(raw).digest("hex");
  if (!sameText(`sha256=${mac}`, signature)) {
    throw new WebhookVerificationError("X-StagDB-Signature does not match the body");
  }
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > WEBHOOK_TOLERANCE_SECONDS) {
    throw new WebhookVerificationError("X-StagDB-Timestamp is more than 300 s away: a replay?");
  }
  return JSON.parse(new TextDecoder().decode(raw)) as WebhookPayload;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) {
    return headers.get(name) ?? undefined;
  }
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return typeof value === "string" ? value : value?.[0];
}

function sameText(expected: string, given: string): boolean {
  const a = encoder.encode(expected);
  const b = encoder.encode(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
