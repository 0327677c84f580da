// Databases on a live server: a real PostgreSQL database created, used, changed and deleted.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { type Database, NotFoundError } from "../src/index.js";
import { collect, liveClient, psql, uniqueName } from "./helpers/live.js";

describe("databases (live)", () => {
  const client = liveClient();
  let database: Database;

  before(async () => {
    database = await client.databases.create({
      name: uniqueName("js-db"),
      type: "postgresql",
      version: "15",
    });
  });

  after(async () => {
    await client.databases.delete(database.id, { cascade: true }).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
    });
  });

  it("creates a running database that takes SQL", () => {
    assert.equal(database.status, "running");
    assert.equal(database.type, "postgresql");
    assert.equal(database.version, "15");
    assert.ok(database.connection);
    psql(database.connection.uri, "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept')");
    assert.equal(psql(database.connection.uri, "SELECT body FROM notes"), "kept");
  });

  it("gets it by name and by id", async () => {
    assert.equal((await client.databases.get(database.name)).id, database.id);
    assert.equal((await client.databases.get(database.id)).name, database.name);
  });

  it("lists it, page by page", async () => {
    const listed = await collect(client.databases.list({ type: "postgresql", limit: 1 }));
    assert.ok(listed.some((item) => item.id === database.id));
    assert.equal(new Set(listed.map((item) => item.id)).size, listed.length);
  });

  it("updates its description", async () => {
    const updated = await client.databases.update(database.id, { description: "from stagdb-js" });
    assert.equal(updated.description, "from stagdb-js");
  });

  it("stops and starts it, keeping the data", async () => {
    assert.equal((await client.databases.stop(database.id)).status, "stopped");
    const started = await client.databases.start(database.id);
    assert.equal(started.status, "running");
    assert.ok(started.connection);
    assert.equal(psql(started.connection.uri, "SELECT body FROM notes"), "kept");
  });

  it("reads its figures and logs", async () => {
    const stats = await client.databases.stats(database.id);
    assert.equal(stats.database_id, database.id);
    assert.ok(stats.storage.figures.logical_bytes > 0);
    const lines = await client.databases.logs(database.id, { tail: 5 });
    assert.ok(lines.length > 0 && lines.length <= 5);
    assert.equal(typeof lines[0]?.message, "string");
  });

  it("deletes it", async () => {
    await client.databases.delete(database.id);
    await assert.rejects(client.databases.get(database.id), NotFoundError);
  });
});
