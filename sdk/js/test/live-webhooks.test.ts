// Webhooks on a live server: a real delivery to a receiver here, verified with verifyWebhook.
import assert from "node:assert/strict";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";

import { type CreatedWebhook, NotFoundError, type WebhookPayload, verifyWebhook } from "../src/index.js";
import { collect, liveClient } from "./helpers/live.js";

describe("webhooks (live)", () => {
  const client = liveClient();
  const verified: WebhookPayload[] = [];
  let secret = "";
  let receiver: Server;
  let url = "";
  let webhook: CreatedWebhook;

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        try {
          verified.push(verifyWebhook(Buffer.concat(chunks), request.headers, secret));
          response.writeHead(204).end();
        } catch {
          response.writeHead(401).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });

  after(async () => {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it("creates a webhook and shows its secret once", async () => {
    webhook = await client.webhooks.create({ url, events: ["database.created"] });
    secret = webhook.secret;
    assert.match(secret, /^whsec_/);
    const fetched = await client.webhooks.get(webhook.id);
    assert.equal(fetched.secret_set, true);
    assert.equal("secret" in fetched, false);
  });

  it("delivers a signed test event that verifyWebhook accepts", async () => {
    const delivery = await client.webhooks.test(webhook.id);
    assert.equal(delivery.status, "delivered");
    assert.equal(delivery.response_code, 204);
    assert.equal(verified.length, 1);
    assert.equal(verified[0]?.event, "webhook.test");
    const history = await collect(client.webhooks.deliveries(webhook.id));
    assert.ok(history.some((item) => item.id === delivery.id));
  });

  it("updates and lists webhooks page by page", async () => {
    const extra = await Promise.all([1, 2].map(() => client.webhooks.create({ url, events: ["*"] })));
    const paused = await client.webhooks.update(webhook.id, { active: false });
    assert.equal(paused.active, false);
    const ids = (await collect(client.webhooks.list({ limit: 1 }))).map((item) => item.id);
    for (const made of [webhook, ...extra]) {
      assert.ok(ids.includes(made.id), `${made.id} listed`);
    }
    await Promise.all(extra.map((made) => client.webhooks.delete(made.id)));
  });

  it("deletes a webhook", async () => {
    await client.webhooks.delete(webhook.id);
    await assert.rejects(client.webhooks.get(webhook.id), NotFoundError);
  });
});
