// Branches: databases made from another database as it is now, or from one of its snapshots.
import { PAGE_LIMIT, everyPage } from "../pagination.js";
import type { CreateBranchParams, Database, DeleteParams, PageSize } from "../types.js";
import { databasePath } from "./databases.js";
import { Resource } from "./resource.js";
import { snapshotPath } from "./snapshots.js";

export class Branches extends Resource {
  /** Every direct branch of a database (id or name), oldest first. */
  list(databaseId: string, params: PageSize = {}): AsyncGenerator<Database, void, undefined> {
    return everyPage((page) =>
      this.transport.send<Database[]>({
        method: "GET",
        path: `${databasePath(databaseId)}/branches`,
        query: { limit: PAGE_LIMIT, ...params, page },
      }),
    );
  }

  /** Branches the database as it is now (a snapshot named `for-<branch id>` is taken first). */
  async create(databaseId: string, params: CreateBranchParams): Promise<Database> {
    return this.data({ method: "POST", path: `${databasePath(databaseId)}/branches`, body: params });
  }

  /** Branches a snapshot. */
  async createFromSnapshot(snapshotId: string, params: CreateBranchParams): Promise<Database> {
    return this.data({ method: "POST", path: `${snapshotPath(snapshotId)}/branches`, body: params });
  }

  /** Deletes a branch (a branch is a database); with `cascade`, its own branches too. */
  async delete(id: string, params: DeleteParams = {}): Promise<void> {
    await this.transport.send({ method: "DELETE", path: databasePath(id), query: { ...params } });
  }
}
