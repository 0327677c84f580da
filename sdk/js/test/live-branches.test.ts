// Snapshots and branches on a live server: real data copied, branched, reset and deleted.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  type Database,
  NotFoundError,
  ResourceBusyError,
  type Snapshot,
} from "../src/index.js";
import { collect, liveClient, psql, uniqueName } from "./helpers/live.js";

function uriOf(database: Database): string {
  assert.ok(database.connection, `${database.name} has no connection`);
  return database.connection.uri;
}

describe("snapshots and branches (live)", () => {
  const client = liveClient();
  let parent: Database;
  let snapshot: Snapshot;
  let fromNow: Database;
  let fromSnapshot: Database;

  before(async () => {
    parent = await client.databases.create({ name: uniqueName("js-parent"), type: "postgresql" });
    psql(uriOf(parent), "CREATE TABLE numbers (n int); INSERT INTO numbers VALUES (1)");
  });

  after(async () => {
    await client.databases.delete(parent.id, { cascade: true }).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
    });
  });

  it("takes a snapshot", async () => {
    snapshot = await client.snapshots.create(parent.name, { name: "before", description: "one row" });
    assert.equal(snapshot.status, "ready");
    assert.equal(snapshot.database_id, parent.id);
    assert.deepEqual(await client.snapshots.get(snapshot.id), snapshot);
    const listed = await collect(client.snapshots.list(parent.id));
    assert.ok(listed.some((item) => item.id === snapshot.id));
    psql(uriOf(parent), "INSERT INTO numbers VALUES (2)");
  });

  it("branches the database as it is now", async () => {
    fromNow = await client.branches.create(parent.id, { name: uniqueName("js-now") });
    assert.equal(fromNow.parent_id, parent.id);
    assert.equal(psql(uriOf(fromNow), "SELECT string_agg(n::text, ',' ORDER BY n) FROM numbers"), "1,2");
  });

  it("branches the snapshot", async () => {
    fromSnapshot = await client.branches.createFromSnapshot(snapshot.id, { name: uniqueName("js-snap") });
    assert.equal(fromSnapshot.parent_id, parent.id);
    assert.equal(fromSnapshot.snapshot_id, snapshot.id);
    assert.equal(psql(uriOf(fromSnapshot), "SELECT count(*) FROM numbers"), "1");
  });

  it("lists the branches", async () => {
    const ids = (await collect(client.branches.list(parent.id))).map((branch) => branch.id);
    assert.deepEqual(ids.sort(), [fromNow.id, fromSnapshot.id].sort());
  });

  it("resets a branch to its snapshot, keeping its connection", async () => {
    psql(uriOf(fromSnapshot), "INSERT INTO numbers VALUES (99)");
    const reset = await client.databases.reset(fromSnapshot.id);
    assert.equal(reset.status, "running");
    assert.equal(uriOf(reset), uriOf(fromSnapshot));
    assert.equal(psql(uriOf(reset), "SELECT count(*) FROM numbers"), "1");
  });

  it("refuses to delete a database with branches unless cascading", async () => {
    const impatient = liveClient({ maxRetries: 0 });
    const error = await impatient.databases.delete(parent.id).catch((caught: unknown) => caught);
    assert.ok(error instanceof ResourceBusyError);
    assert.equal(error.status, 409);
    assert.match(error.message, /branches/);
    await client.databases.delete(parent.id, { cascade: true });
    for (const gone of [parent.id, fromNow.id, fromSnapshot.id]) {
      await assert.rejects(client.databases.get(gone), NotFoundError);
    }
    await assert.rejects(client.snapshots.get(snapshot.id), NotFoundError);
  });
});
