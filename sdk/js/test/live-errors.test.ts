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

interface Attempt {
  method: string;
  status: number;
  key: string | null;
  replayed: boolean;
}

/** A fetch that notes every attempt; with `loseFirstPost`, the first POST's answer is lost on
 * the way back (the server did the work; the client sees a network failure). */
function recordingFetch(attempts: Attempt[], loseFirstPost = false): typeof fetch {
  let lost = !loseFirstPost;
  return async (input, init) => {
    const response = await fetch(input, init);
    const method = init?.method ?? "GET";
    attempts.push({
      method,
      status: response.status,
      key: new Headers(init?.headers).get("idempotency-key"),
      replayed: response.headers.get("idempotent-replayed") === "true",
    });
    if (method === "POST" && !lost) {
      lost = true;
      await response.arrayBuffer();
      throw new TypeError("fetch failed: the answer was lost");
    }
    return response;
  };
}

describe("retries (live)", () => {
  const client = liveClient();
  let database: Database | undefined;

  after(async () => {
    if (database) await client.databases.delete(database.id, { cascade: true });
  });

  it("retries RESOURCE_BUSY: two changes of limits at once both succeed", async () => {
    database = await client.databases.create({ name: uniqueName("js-busy"), type: "postgresql" });
    const attempts: Attempt[] = [];
    const recorded = liveClient({ fetch: recordingFetch(attempts) });
    const change = { resources: { memory: "256m" } };
    const updated = await Promise.all([
      recorded.databases.update(database.id, change),
      recorded.databases.update(database.id, change),
    ]);
    assert.deepEqual(updated.map((answer) => answer.resources.memory), ["256m", "256m"]);
    assert.ok(attempts.some((attempt) => attempt.status === 409), "one change should have found it busy");
    assert.equal(attempts.filter((attempt) => attempt.status === 200).length, 2);
  });

  it("answers a create whose answer was lost from the server's stored answer", async () => {
    const attempts: Attempt[] = [];
    const name = uniqueName("js-once");
    const created = await liveClient({ fetch: recordingFetch(attempts, true) }).databases.create({
      name,
      type: "postgresql",
    });
    await client.databases.delete(created.id);
    assert.equal(created.name, name);
    assert.equal(attempts.length, 2);
    const [first, second] = attempts;
    assert.ok(first && second);
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.key, first.key);
    assert.equal(second.replayed, true, "the retry was answered from the stored answer");
  });
});
