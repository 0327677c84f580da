// What the tests against a live server share: a client for it, unique names, and psql.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

import { StagDB, type StagDBOptions } from "../../src/index.js";

/** A client for the server in STAGDB_URL / STAGDB_API_KEY, which these tests require. */
export function liveClient(options: StagDBOptions = {}): StagDB {
  if (!process.env.STAGDB_URL || !process.env.STAGDB_API_KEY) {
    throw new Error("the live tests need a running server: set STAGDB_URL and STAGDB_API_KEY");
  }
  return new StagDB(options);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/** Runs SQL on a database through psql and returns its unaligned output. */
export function psql(uri: string, sql: string): string {
  return execFileSync("psql", [uri, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], {
    encoding: "utf8",
    timeout: 30_000,
  }).trim();
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) {
    all.push(item);
  }
  return all;
}
