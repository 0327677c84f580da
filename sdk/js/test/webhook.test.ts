// verifyWebhook against deliveries signed here the way the server signs them.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";

import { WebhookVerificationError, verifyWebhook } from "../src/index.js";

const SECRET = "whsec_test_secret_0123456789";
const BODY = '{"data":{"webhook_id":"wh-5m1k8r3x7q2d"},"event":"webhook.test","timestamp":"2025-01-15T12:40:00.101112Z"}';

function signed(body: string, timestamp: number, secret = SECRET): Record<string, string> {
  const mac = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return { "X-StagDB-Timestamp": String(timestamp), "X-StagDB-Signature": `sha256=${mac}` };
}

const now = (): number => Math.floor(Date.now() / 1000);

describe("verifyWebhook", () => {
  it("accepts a genuine delivery and returns its payload", () => {
    const payload = verifyWebhook(BODY, signed(BODY, now()), SECRET);
    assert.equal(payload.event, "webhook.test");
  });

  it("takes raw bytes and fetch Headers", () => {
    const headers = new Headers(signed(BODY, now()));
    const payload = verifyWebhook(new TextEncoder().encode(BODY), headers, SECRET);
    assert.deepEqual(payload.data, { webhook_id: "wh-5m1k8r3x7q2d" });
  });

  it("takes Node's lower-case header names", () => {
    const headers = Object.fromEntries(
      Object.entries(signed(BODY, now())).map(([name, value]) => [name.toLowerCase(), value]),
    );
    verifyWebhook(BODY, headers, SECRET);
  });

  it("rejects another secret, an altered body and a missing signature", () => {
    const headers = signed(BODY, now());
    assert.throws(() => verifyWebhook(BODY, headers, "whsec_other_secret_000"), WebhookVerificationError);
    assert.throws(() => verifyWebhook(BODY.replace("test", "tost"), headers, SECRET), /does not match/);
    assert.throws(
      () => verifyWebhook(BODY, { "X-StagDB-Timestamp": String(now()) }, SECRET),
      /Signature is missing/,
    );
  });

  it("rejects a timestamp more than 300 s away, either way", () => {
    for (const timestamp of [now() - 301, now() + 301]) {
      assert.throws(() => verifyWebhook(BODY, signed(BODY, timestamp), SECRET), /300 s/);
    }
    verifyWebhook(BODY, signed(BODY, now() - 290), SECRET);
  });

  it("rejects a timestamp that is not unix seconds", () => {
    const headers = { ...signed(BODY, now()), "X-StagDB-Timestamp": "yesterday" };
    assert.throws(() => verifyWebhook(BODY, headers, SECRET), /Timestamp/);
  });
});
