// Errors and retries against a live server.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";

import {
  type Database,
  NotFoundError,
  StagDB,
  UnauthorizedError,
  ValidationError,
} from "../src/index.js";
import { liveClient, uniqueName } from "./helpers/live.js";

describe("errors (live)", () => {
  const client = liveClient();

  it("answers health", async () => {
    const health = await client.health();
    assert.equal(health.status, "healthy");
    assert.equal(health.dependencies.docker.status, "up");
  });

  it("throws NotFoundError with the request id", async () => {
    const error = await client.databases.get("no-such-database").catch((caught: unknown) => caught);
    assert.ok(error instanceof NotFoundError);
    assert.equal(error.code, "NOT_FOUND");
    assert.equal(error.status, 404);
    assert.match(error.requestId ?? "", /^[0-9a-f]{32}$/);
    assert.match(error.message, /no-such-database/);
  });

  it("throws ValidationError for a bad name", async () => {
    await assert.rejects(
      client.databases.create({ name: "Not A Name", type: "postgresql" }),
      (error: unknown) => error instanceof ValidationError && error.code === "VALIDATION_ERROR",
    );
  });

  it("throws UnauthorizedError for an unknown key", async () => {
    const stranger = new StagDB({ baseUrl: client.baseUrl, apiKey: "sdb_not_a_key" });
    await assert.rejects(stranger.webhooks.get("wh-000000000000"), UnauthorizedError);
  });
});

describe("retries (live)", () => {
  const seen: { status: number; key: string | null }[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const key = new Headers(init?.headers).get("idempotency-key");
    seen.push({ status: response.status, key });
    return response;
  };
  const client = liveClient({ fetch: recordingFetch });
  let database: Database | undefined;

  after(async () => {
    if (database) await client.databases.delete(database.id, { cascade: true });
  });

  it("retries RESOURCE_BUSY: two stops at once both succeed", async () => {
    database = await client.databases.create({ name: uniqueName("js-busy"), type: "postgresql" });
    const id = database.id;
    seen.length = 0;
    const stopped = await Promise.all([client.databases.stop(id), client.databases.stop(id)]);
    assert.deepEqual(stopped.map((answer) => answer.status), ["stopped", "stopped"]);
    const busy = seen.filter((attempt) => attempt.status === 409);
    assert.ok(busy.length > 0, "the second stop should have found the database busy");
    for (const attempt of busy) {
      const retries = seen.filter((other) => other.key === attempt.key);
      assert.ok(retries.some((other) => other.status === 200), "a retry with the same key succeeded");
    }
  });
});
