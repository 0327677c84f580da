// Webhooks: signed HTTP callbacks for lifecycle events, and their delivery history.
import { PAGE_LIMIT, everyPage } from "../pagination.js";
import type {
  CreateWebhookParams,
  CreatedWebhook,
  PageSize,
  UpdateWebhookParams,
  Webhook,
  WebhookDelivery,
} from "../types.js";
import { Resource, pathSegment } from "./resource.js";

export class Webhooks extends Resource {
  /** Every webhook, oldest first (secrets are never shown). */
  list(params: PageSize = {}): AsyncGenerator<Webhook, void, undefined> {
    return everyPage((page) =>
      this.transport.send<Webhook[]>({ method: "GET", path: "/webhooks", query: { limit: PAGE_LIMIT, ...params, page } }),
    );
  }

  /** Subscribes a URL to events; the answer carries the signing secret, shown this once. */
  async create(params: CreateWebhookParams): Promise<CreatedWebhook> {
    return this.data({ method: "POST", path: "/webhooks", body: params });
  }

  async get(id: string): Promise<Webhook> {
    return this.data({ method: "GET", path: webhookPath(id) });
  }

  async update(id: string, params: UpdateWebhookParams): Promise<Webhook> {
    return this.data({ method: "PUT", path: webhookPath(id), body: params });
  }

  async delete(id: string): Promise<void> {
    await this.transport.send({ method: "DELETE", path: webhookPath(id) });
  }

  /** Sends a `webhook.test` delivery and answers with it after its first attempt. */
  async test(id: string): Promise<WebhookDelivery> {
    return this.data({ method: "POST", path: `${webhookPath(id)}/test` });
  }

  /** Every delivery of the webhook, oldest first, with the outcome of its latest attempt. */
  deliveries(id: string, params: PageSize = {}): AsyncGenerator<WebhookDelivery, void, undefined> {
    return everyPage((page) =>
      this.transport.send<WebhookDelivery[]>({
        method: "GET",
        path: `${webhookPath(id)}/deliveries`,
        query: { limit: PAGE_LIMIT, ...params, page },
      }),
    );
  }
}

function webhookPath(id: string): string {
  return `/webhooks/${pathSegment(id)}`;
}
