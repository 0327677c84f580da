// Client settings: read once from the options given or the environment, and checked.
import { VERSION } from "./version.js";

export interface StagDBOptions {
  /** The server's address, with or without the trailing `/v1`; default: STAGDB_URL. */
  baseUrl?: string;
  /** An API key from `stagdb keys create`; default: STAGDB_API_KEY. */
  apiKey?: string;
  /** Retries after a rate limit, a busy resource or a network failure (default 3). */
  maxRetries?: number;
  /** Milliseconds one attempt may take before it counts as a network failure (default 300000). */
  timeoutMs?: number;
  /** The User-Agent header sent (default `stagdb-js/<version>`). */
  userAgent?: string;
  /** The fetch implementation to use (default: the platform's). */
  fetch?: typeof fetch;
}

export interface Settings {
  baseUrl: string;
  apiKey: string;
  maxRetries: number;
  timeoutMs: number;
  userAgent: string;
  fetch: typeof fetch;
}

const DEFAULT_RETRIES = 3;
const DEFAULT_TIMEOUT_MS = 300_000;

function environment(name: string): string | undefined {
  return (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[
    name
  ];
}

/** `http://host:8080`, `http://host:8080/`, `http://host:8080/v1/` all become `http://host:8080/v1`. */
export function normalizeBaseUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, "");
  return trimmed.endsWith("/v1") ? trimmed : `${trimmed}/v1`;
}

export function resolveSettings(options: StagDBOptions): Settings {
  const baseUrl = options.baseUrl ?? environment("STAGDB_URL");
  const apiKey = options.apiKey ?? environment("STAGDB_API_KEY");
  if (!baseUrl) {
    throw new TypeError("StagDB needs a base URL: pass { baseUrl } or set STAGDB_URL");
  }
  if (!apiKey) {
    throw new TypeError("StagDB needs an API key: pass { apiKey } or set STAGDB_API_KEY");
  }
  const maxRetries = options.maxRetries ?? DEFAULT_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new TypeError(`maxRetries must be a whole number, 0 or more (got ${String(maxRetries)})`);
  }
  return {
    baseUrl: normalizeBaseUrl(baseUrl),
    apiKey,
    maxRetries,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    userAgent: options.userAgent ?? `stagdb-js/${VERSION}`,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
  };
}
