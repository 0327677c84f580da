// Retries and idempotency keys, against a scripted server: what a real one will not do on demand.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";

import {
  ConnectionError,
  RateLimitedError,
  ResourceBusyError,
  StagDB,
  ValidationError,
} from "../src/index.js";
import { backoffMs, retryDelayMs } from "../src/retry.js";
import { type Reply, StubServer, failure } from "./helpers/stub-server.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const created: Reply = { status: 201, body: { success: true, data: { id: "db-1" }, message: "" } };

let stub: StubServer | undefined;

async function clientFor(replies: Reply[], maxRetries?: number): Promise<[StagDB, StubServer]> {
  stub = await StubServer.start(replies);
  const options = maxRetries === undefined ? {} : { maxRetries };
  return [new StagDB({ baseUrl: stub.url, apiKey: "sdb_test", ...options }), stub];
}

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

describe("retries", () => {
  it("waits Retry-After seconds after 429 and sends the same Idempotency-Key again", async () => {
    const [client, server] = await clientFor([
      failure(429, "RATE_LIMITED", { "Retry-After": "1" }),
      created,
    ]);
    const started = performance.now();
    const database = await client.databases.create({ name: "x", type: "postgresql" });
    const waited = performance.now() - started;

    assert.equal(database.id, "db-1");
    assert.equal(server.requests.length, 2);
    const [first, second] = server.requests.map((request) => request.headers["idempotency-key"]);
    assert.match(String(first), UUID_V4);
    assert.equal(second, first);
    assert.ok(waited >= 1000, `waited ${waited} ms, Retry-After said 1 s`);
  });

  it("retries RESOURCE_BUSY with back-off", async () => {
    const [client, server] = await clientFor([
      failure(409, "RESOURCE_BUSY"),
      failure(409, "RESOURCE_BUSY"),
      { status: 200, body: { success: true, data: { id: "db-1", status: "stopped" }, message: "" } },
    ]);
    const database = await client.databases.stop("db-1");
    assert.equal(database.status, "stopped");
    assert.equal(server.requests.length, 3);
    assert.equal(new Set(server.requests.map((r) => r.headers["idempotency-key"])).size, 1);
  });

  it("retries a dropped connection", async () => {
    const [client, server] = await clientFor(["drop", created]);
    await client.databases.create({ name: "x", type: "postgresql" });
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0]?.headers["idempotency-key"], server.requests[1]?.headers["idempotency-key"]);
  });

  it("gives each call its own key", async () => {
    const [client, server] = await clientFor([created, created]);
    await client.databases.create({ name: "x", type: "postgresql" });
    await client.databases.create({ name: "y", type: "postgresql" });
    const keys = server.requests.map((request) => request.headers["idempotency-key"]);
    assert.notEqual(keys[0], keys[1]);
  });

  it("sends no key on GET, PUT and DELETE", async () => {
    const [client, server] = await clientFor([
      { status: 200, body: { success: true, data: {}, message: "" } },
      { status: 200, body: { success: true, data: {}, message: "" } },
      { status: 200, body: { success: true, data: null, message: "" } },
    ]);
    await client.databases.get("x");
    await client.databases.update("x", { description: "d" });
    await client.databases.delete("x", { cascade: true });
    for (const request of server.requests) {
      assert.equal(request.headers["idempotency-key"], undefined);
    }
    assert.equal(server.requests[2]?.url, "/v1/databases/x?cascade=true");
  });

  it("stops after maxRetries and throws the last error", async () => {
    const [client, server] = await clientFor(
      [
        failure(429, "RATE_LIMITED", { "Retry-After": "0" }),
        failure(429, "RATE_LIMITED", { "Retry-After": "0" }),
        failure(429, "RATE_LIMITED", { "Retry-After": "7" }),
      ],
      2,
    );
    const error = await client.databases.start("x").catch((caught: unknown) => caught);
    assert.ok(error instanceof RateLimitedError);
    assert.equal(error.retryAfter, 7);
    assert.equal(error.status, 429);
    assert.equal(error.requestId, "req-429");
    assert.equal(server.requests.length, 3);
  });

  it("does not retry when maxRetries is 0", async () => {
    const [client, server] = await clientFor([failure(409, "RESOURCE_BUSY")], 0);
    await assert.rejects(client.databases.stop("x"), ResourceBusyError);
    assert.equal(server.requests.length, 1);
  });

  it("does not retry a validation error", async () => {
    const [client, server] = await clientFor([failure(400, "VALIDATION_ERROR"), created]);
    await assert.rejects(client.databases.create({ name: "x", type: "postgresql" }), ValidationError);
    assert.equal(server.requests.length, 1);
  });

  it("throws a Retry-After over a minute at once", async () => {
    const [client, server] = await clientFor([failure(429, "RATE_LIMITED", { "Retry-After": "1536" }), created]);
    const error = await client.databases.create({ name: "x", type: "postgresql" }).catch((caught: unknown) => caught);
    assert.ok(error instanceof RateLimitedError);
    assert.equal(error.retryAfter, 1536);
    assert.equal(server.requests.length, 1);
  });

  it("stops at a RESOURCE_BUSY the server replayed for the key", async () => {
    const [client, server] = await clientFor([
      failure(409, "RESOURCE_BUSY"),
      failure(409, "RESOURCE_BUSY", { "Idempotent-Replayed": "true" }),
      created,
    ]);
    await assert.rejects(client.databases.stop("x"), ResourceBusyError);
    assert.equal(server.requests.length, 2);
  });

  it("throws ConnectionError when nothing answers", async () => {
    const [client, server] = await clientFor(["drop", "drop"], 1);
    const error = await client.databases.get("x").catch((caught: unknown) => caught);
    assert.ok(error instanceof ConnectionError);
    assert.equal(error.code, "CONNECTION_ERROR");
    assert.equal(error.status, 0);
    assert.equal(server.requests.length, 2);
  });
});

describe("back-off", () => {
  it("draws uniformly up to 0.5 s doubling per retry, at most 8 s", () => {
    const ceilings = [500, 1000, 2000, 4000, 8000, 8000];
    ceilings.forEach((ceiling, retry) => {
      for (let sample = 0; sample < 50; sample++) {
        const delay = backoffMs(retry);
        assert.ok(delay >= 0 && delay <= ceiling, `retry ${retry}: ${delay} ms`);
      }
    });
  });

  it("waits Retry-After plus at most 0.5 s, and gives up on one over a minute", () => {
    const delay = retryDelayMs({ status: 429, retryAfter: 12, replayed: false }, 0);
    assert.ok(delay !== undefined && delay >= 12_000 && delay <= 12_500, `${delay} ms`);
    assert.equal(retryDelayMs({ status: 429, retryAfter: 61, replayed: false }, 0), undefined);
  });

  it("takes a replayed RESOURCE_BUSY as final", () => {
    assert.equal(retryDelayMs({ status: 409, retryAfter: undefined, replayed: true }, 0), undefined);
    assert.notEqual(retryDelayMs({ status: 409, retryAfter: undefined, replayed: false }, 0), undefined);
  });
});
