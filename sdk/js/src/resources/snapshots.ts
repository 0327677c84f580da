// Snapshots: read-only point-in-time images of a database's data.
import { PAGE_LIMIT, everyPage } from "../pagination.js";
import type { CreateSnapshotParams, DeleteParams, PageSize, Snapshot } from "../types.js";
import { databasePath } from "./databases.js";
import { Resource, pathSegment } from "./resource.js";

export class Snapshots extends Resource {
  /** Every snapshot of a database (id or name), oldest first. */
  list(databaseId: string, params: PageSize = {}): AsyncGenerator<Snapshot, void, undefined> {
    return everyPage((page) =>
      this.transport.send<Snapshot[]>({
        method: "GET",
        path: `${databasePath(databaseId)}/snapshots`,
        query: { limit: PAGE_LIMIT, ...params, page },
      }),
    );
  }

  /** Takes a snapshot holding every transaction committed before the call. */
  async create(databaseId: string, params: CreateSnapshotParams): Promise<Snapshot> {
    return this.data({ method: "POST", path: `${databasePath(databaseId)}/snapshots`, body: params });
  }

  /** One snapshot, by id (`snap-…`). */
  async get(id: string): Promise<Snapshot> {
    return this.data({ method: "GET", path: snapshotPath(id) });
  }

  /** Deletes the snapshot; with `cascade`, the branches made from it too. */
  async delete(id: string, params: DeleteParams = {}): Promise<void> {
    await this.transport.send({ method: "DELETE", path: snapshotPath(id), query: { ...params } });
  }
}

export function snapshotPath(id: string): string {
  return `/snapshots/${pathSegment(id)}`;
}
