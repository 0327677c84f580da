// The client: settings, one transport, and the API's resources as properties.
import { type StagDBOptions, resolveSettings } from "./config.js";
import { Branches } from "./resources/branches.js";
import { Databases } from "./resources/databases.js";
import { Snapshots } from "./resources/snapshots.js";
import { Webhooks } from "./resources/webhooks.js";
import { Transport } from "./transport.js";
import type { Health } from "./types.js";

export class StagDB {
  readonly databases: Databases;
  readonly snapshots: Snapshots;
  readonly branches: Branches;
  readonly webhooks: Webhooks;
  readonly baseUrl: string;
  readonly #transport: Transport;

  /** Options left out are read from STAGDB_URL and STAGDB_API_KEY. */
  constructor(options: StagDBOptions = {}) {
    const settings = resolveSettings(options);
    this.baseUrl = settings.baseUrl;
    this.#transport = new Transport(settings);
    this.databases = new Databases(this.#transport);
    this.snapshots = new Snapshots(this.#transport);
    this.branches = new Branches(this.#transport);
    this.webhooks = new Webhooks(this.#transport);
  }

  /** The server's health; an unhealthy server (HTTP 503) answers too, with the dependency down. */
  async health(): Promise<Health> {
    const answer = await this.#transport.send<Health>({
      method: "GET",
      path: "/health",
      answerStatuses: [503],
    });
    return answer.data;
  }
}
