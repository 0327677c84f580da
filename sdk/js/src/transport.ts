// One HTTP exchange with the API: the envelope unwrapped, failures turned into StagDBErrors,
// retries with back-off, and an Idempotency-Key on every POST that all its retries share.
import { randomUUID } from "node:crypto";

import type { Settings } from "./config.js";
import { ConnectionError, codeForStatus, errorFromAnswer } from "./errors.js";
import type { WirePagination } from "./pagination.js";
import { backoffMs, parseRetryAfter, retryDelayMs, sleep } from "./retry.js";

export type QueryValue = string | number | boolean | null | undefined;

export interface ApiRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The path below the base URL, its parameters already encoded. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON; left out, no body is sent. */
  body?: unknown;
  /** Statuses besides 2xx whose envelope is an answer, not an error (503 from /health). */
  answerStatuses?: readonly number[];
}

/** A success envelope, without `success`. */
export interface Answer<T> {
  data: T;
  message: string;
  pagination?: WirePagination;
}

interface WireEnvelope {
  success?: boolean;
  data?: unknown;
  message?: string;
  pagination?: WirePagination;
  error?: { code?: string; message?: string };
}

interface Received {
  response: Response;
  envelope: WireEnvelope | undefined;
}

export class Transport {
  readonly #settings: Settings;

  constructor(settings: Settings) {
    this.#settings = settings;
  }

  async send<T>(request: ApiRequest): Promise<Answer<T>> {
    const url = this.#url(request);
    const init = this.#init(request);
    for (let retry = 0; ; retry++) {
      const canRetry = retry < this.#settings.maxRetries;
      let received: Received;
      try {
        received = await this.#attempt(url, init);
      } catch (cause) {
        if (canRetry) {
          await sleep(backoffMs(retry));
          continue;
        }
        throw new ConnectionError(`${request.method} ${url} failed: ${describe(cause)}`, cause);
      }
      const { response, envelope } = received;
      if (response.ok || request.answerStatuses?.includes(response.status)) {
        return answerOf<T>(envelope);
      }
      const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
      const replayed = response.headers.get("idempotent-replayed") === "true";
      const delay = canRetry
        ? retryDelayMs({ status: response.status, retryAfter, replayed }, retry)
        : undefined;
      if (delay !== undefined) {
        await sleep(delay);
        continue;
      }
      throw errorFromAnswer(
        {
          code: envelope?.error?.code ?? codeForStatus(response.status),
          message: envelope?.error?.message ?? `HTTP ${response.status} ${response.statusText}`,
          status: response.status,
          requestId: response.headers.get("x-request-id") ?? undefined,
        },
        retryAfter,
      );
    }
  }

  async #attempt(url: string, init: RequestInit): Promise<Received> {
    const signal = AbortSignal.timeout(this.#settings.timeoutMs);
    const response = await this.#settings.fetch(url, { ...init, signal });
    const text = await response.text();
    return { response, envelope: parseEnvelope(text) };
  }

  #url(request: ApiRequest): string {
    const url = new URL(this.#settings.baseUrl + request.path);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined && value !== null) {
        url.searchParams.set(name, String(value));
      }
    }
    return url.toString();
  }

  #init(request: ApiRequest): RequestInit {
    const headers: Record<string, string> = {
      Accept: "application/json",
      Authorization: `Bearer ${this.#settings.apiKey}`,
      "User-Agent": this.#settings.userAgent,
    };
    if (request.method === "POST") {
      headers["Idempotency-Key"] = randomUUID();
    }
    if (request.body === undefined) {
      return { method: request.method, headers };
    }
    headers["Content-Type"] = "application/json";
    return { method: request.method, headers, body: JSON.stringify(request.body) };
  }
}

function parseEnvelope(text: string): WireEnvelope | undefined {
  if (text === "") {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function answerOf<T>(envelope: WireEnvelope | undefined): Answer<T> {
  const answer: Answer<T> = { data: envelope?.data as T, message: envelope?.message ?? "" };
  if (envelope?.pagination) {
    answer.pagination = envelope.pagination;
  }
  return answer;
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : "";
    return `${cause.message}${inner}`;
  }
  return String(cause);
}
