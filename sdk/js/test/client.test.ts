// Settings, errors and pagination of the client, against a scripted server.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, describe, it } from "node:test";

import {
  InsufficientResourcesError,
  NotFoundError,
  ServerError,
  StagDB,
  StagDBError,
  UnauthorizedError,
  VERSION,
} from "../src/index.js";
import { normalizeBaseUrl } from "../src/config.js";
import { collect } from "./helpers/live.js";
import { type Reply, StubServer, failure, ok } from "./helpers/stub-server.js";

let stub: StubServer | undefined;

async function clientFor(replies: Reply[], baseSuffix = ""): Promise<[StagDB, StubServer]> {
  stub = await StubServer.start(replies);
  return [new StagDB({ baseUrl: stub.url + baseSuffix, apiKey: "sdb_test", maxRetries: 0 }), stub];
}

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

describe("settings", () => {
  it("takes the base URL with or without /v1", () => {
    for (const url of ["http://h:8080", "http://h:8080/", "http://h:8080/v1", "http://h:8080/v1/"]) {
      assert.equal(normalizeBaseUrl(url), "http://h:8080/v1");
    }
  });

  it("reads STAGDB_URL and STAGDB_API_KEY", async () => {
    const [, server] = await clientFor([ok({ id: "db-1" })]);
    const saved = { url: process.env.STAGDB_URL, key: process.env.STAGDB_API_KEY };
    process.env.STAGDB_URL = `${server.url}/v1/`;
    process.env.STAGDB_API_KEY = "sdb_from_env";
    try {
      await new StagDB().databases.get("db-1");
    } finally {
      restore("STAGDB_URL", saved.url);
      restore("STAGDB_API_KEY", saved.key);
    }
    const [request] = server.requests;
    assert.ok(request);
    assert.equal(request.url, "/v1/databases/db-1");
    assert.equal(request.headers.authorization, "Bearer sdb_from_env");
    assert.equal(request.headers["user-agent"], `stagdb-js/${VERSION}`);
  });

  it("refuses to start without a URL or a key", () => {
    assert.throws(() => new StagDB({ baseUrl: "", apiKey: "k" }), /STAGDB_URL/);
    assert.throws(() => new StagDB({ baseUrl: "http://h", apiKey: "" }), /STAGDB_API_KEY/);
  });

  it("keeps VERSION equal to package.json's", () => {
    const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    assert.equal(VERSION, manifest.version);
  });

  it("encodes path segments and query values", async () => {
    const [client, server] = await clientFor([ok({ lines: [] })]);
    await client.databases.logs("a/b c", { tail: 5, since: "2025-01-15T10:30:00Z" });
    assert.equal(
      server.requests[0]?.url,
      "/v1/databases/a%2Fb%20c/logs?tail=5&since=2025-01-15T10%3A30%3A00Z",
    );
  });
});

describe("errors", () => {
  const cases: [number, string, typeof StagDBError][] = [
    [401, "UNAUTHORIZED", UnauthorizedError],
    [404, "NOT_FOUND", NotFoundError],
    [500, "SERVER_ERROR", ServerError],
    [507, "INSUFFICIENT_RESOURCES", InsufficientResourcesError],
  ];
  for (const [status, code, ErrorClass] of cases) {
    it(`maps ${code} to ${ErrorClass.name}`, async () => {
      const [client] = await clientFor([failure(status, code)]);
      const error = await client.databases.get("x").catch((caught: unknown) => caught);
      assert.ok(error instanceof ErrorClass);
      assert.ok(error instanceof StagDBError);
      assert.equal(error.code, code);
      assert.equal(error.status, status);
      assert.equal(error.message, `${code} from the stub`);
      assert.equal(error.requestId, `req-${status}`);
      assert.equal(error.name, ErrorClass.name);
    });
  }

  it("names a code from the status when the body is not the envelope", async () => {
    const [client] = await clientFor([{ status: 502, body: "<html>bad gateway</html>" }]);
    const error = await client.databases.get("x").catch((caught: unknown) => caught);
    assert.ok(error instanceof ServerError);
    assert.equal(error.code, "SERVER_ERROR");
    assert.equal(error.status, 502);
  });

  it("answers health with the dependency that is down (503)", async () => {
    const data = { status: "unhealthy", dependencies: {} };
    const [client] = await clientFor([
      { status: 503, body: { success: false, data, message: "down", error: { code: "X" } } },
    ]);
    assert.deepEqual(await client.health(), data);
  });
});

describe("pagination", () => {
  const page = (items: string[], number: number, counts: Record<string, number>): Reply =>
    ok(
      items.map((id) => ({ id })),
      { pagination: { page: number, limit: 2, total: 5, ...counts } },
    );

  it("walks every page by `pages`", async () => {
    const [client, server] = await clientFor([
      page(["a", "b"], 1, { pages: 3 }),
      page(["c", "d"], 2, { pages: 3 }),
      page(["e"], 3, { pages: 3 }),
    ]);
    const ids = (await collect(client.databases.list({ limit: 2, status: "running" }))).map((d) => d.id);
    assert.deepEqual(ids, ["a", "b", "c", "d", "e"]);
    assert.deepEqual(
      server.requests.map((request) => request.url),
      [1, 2, 3].map((n) => `/v1/databases?limit=2&status=running&page=${n}`),
    );
  });

  it("falls back to `total_pages`", async () => {
    const [client] = await clientFor([
      page(["a", "b"], 1, { total_pages: 2 }),
      page(["c"], 2, { total_pages: 2 }),
    ]);
    const ids = (await collect(client.webhooks.list({ limit: 2 }))).map((w) => w.id);
    assert.deepEqual(ids, ["a", "b", "c"]);
  });

  it("stops on an empty page", async () => {
    const [client, server] = await clientFor([ok([], { pagination: { page: 1, limit: 20, total: 0, pages: 0 } })]);
    assert.deepEqual(await collect(client.snapshots.list("db-1")), []);
    assert.equal(server.requests.length, 1);
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) {
    Reflect.deleteProperty(process.env, name);
  } else {
    process.env[name] = value;
  }
}
