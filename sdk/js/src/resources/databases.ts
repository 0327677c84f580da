// /databases: create, read, change, start, stop, reset, promote and delete databases; their
// schema diffs, figures and logs.
import { PAGE_LIMIT, everyPage } from "../pagination.js";
import type {
  CreateDatabaseParams,
  Database,
  DatabaseStats,
  DeleteParams,
  ListDatabasesParams,
  LogLine,
  LogsParams,
  PromoteParams,
  ResetParams,
  SchemaDiff,
  SchemaDiffParams,
  UpdateDatabaseParams,
} from "../types.js";
import { Resource, pathSegment } from "./resource.js";

export class Databases extends Resource {
  /** Every database (optionally filtered), oldest first, fetched page by page. */
  list(params: ListDatabasesParams = {}): AsyncGenerator<Database, void, undefined> {
    return everyPage((page) =>
      this.transport.send<Database[]>({
        method: "GET",
        path: "/databases",
        query: { limit: PAGE_LIMIT, ...params, page },
      }),
    );
  }

  /** Creates a database; resolves once it accepts connections. */
  async create(params: CreateDatabaseParams): Promise<Database> {
    return this.data({ method: "POST", path: "/databases", body: params });
  }

  /** One database, by id (`db-…`) or name. */
  async get(id: string): Promise<Database> {
    return this.data({ method: "GET", path: databasePath(id) });
  }

  async update(id: string, params: UpdateDatabaseParams): Promise<Database> {
    return this.data({ method: "PUT", path: databasePath(id), body: params });
  }

  /** Deletes the database; with `cascade`, its branches too. */
  async delete(id: string, params: DeleteParams = {}): Promise<void> {
    await this.transport.send({ method: "DELETE", path: databasePath(id), query: { ...params } });
  }

  async start(id: string): Promise<Database> {
    return this.data({ method: "POST", path: `${databasePath(id)}/start` });
  }

  async stop(id: string): Promise<Database> {
    return this.data({ method: "POST", path: `${databasePath(id)}/stop` });
  }

  /** Puts the data back to a snapshot (by default the one the database was branched from). */
  async reset(id: string, params: ResetParams = {}): Promise<Database> {
    return this.data({ method: "POST", path: `${databasePath(id)}/reset`, body: params });
  }

  /** Makes a branch's data its parent's; resolves with the parent (same URI and password). */
  async promote(id: string, params: PromoteParams = {}): Promise<Database> {
    return this.data({ method: "POST", path: `${databasePath(id)}/promote`, body: params });
  }

  /** How the schema differs from `against`: "parent" (the default), a snapshot or a database. */
  async schemaDiff(id: string, params: SchemaDiffParams = {}): Promise<SchemaDiff> {
    return this.data({ method: "GET", path: `${databasePath(id)}/schema-diff`, query: { ...params } });
  }

  async stats(id: string): Promise<DatabaseStats> {
    return this.data({ method: "GET", path: `${databasePath(id)}/stats` });
  }

  /** The newest lines of the engine's log, oldest first. */
  async logs(id: string, params: LogsParams = {}): Promise<LogLine[]> {
    const logs = await this.data<{ lines: LogLine[] }>({
      method: "GET",
      path: `${databasePath(id)}/logs`,
      query: { ...params },
    });
    return logs.lines;
  }
}

export function databasePath(id: string): string {
  return `/databases/${pathSegment(id)}`;
}
