import { describe, expect, test } from "@jest/globals";
import { eventTypeOf } from "../../../../lambdas/intake/eventTypeOf.ts";
import type { ProviderScheme } from "../../../../lambdas/shared/gatewayConfig.ts";

const secrets = [{ env: "S" }];
const request = (body: string | Buffer, headers: Record<string, string> = {}) => ({
  rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body),
  headers,
  method: "POST",
  rawPath: "/webhooks/x",
});
const stripe: ProviderScheme = { scheme: "stripe", secrets };
const github: ProviderScheme = { scheme: "github", secrets };

describe("eventTypeOf", () => {
  test("Stripe and Standard Webhooks: the body's type", () => {
    expect(eventTypeOf(stripe, request('{"id":"evt_1","type":"invoice.paid"}'))).toBe("invoice.paid");
    const standard: ProviderScheme = { scheme: "standard", secrets };
    expect(eventTypeOf(standard, request('{"type":"user.created","data":{}}'))).toBe("user.created");
  });

  test("GitHub: the event header, with the body's action when there is one, from JSON or a form payload", () => {
    const headers = { "x-github-event": "pull_request", "content-type": "application/json" };
    expect(eventTypeOf(github, request('{"action":"opened","number":1}', headers))).toBe("pull_request.opened");
    expect(eventTypeOf(github, request('{"ref":"refs/heads/main"}', { "x-github-event": "push" }))).toBe("push");
    const form = `payload=${encodeURIComponent('{"action":"closed","title":"é"}')}`;
    const formHeaders = { "x-github-event": "issues", "content-type": "application/x-www-form-urlencoded" };
    expect(eventTypeOf(github, request(form, formHeaders))).toBe("issues.closed");
    expect(eventTypeOf(github, request('{"action":"opened"}'))).toBeUndefined();
  });

  test("Shopify: the topic header; Keygen: data.attributes.event", () => {
    const shopify: ProviderScheme = { scheme: "shopify", secrets };
    expect(eventTypeOf(shopify, request("{}", { "x-shopify-topic": "orders/create" }))).toBe("orders/create");
    const keygen: ProviderScheme = { scheme: "keygen", publicKeys: secrets };
    const body = JSON.stringify({ data: { attributes: { event: "license.created" }, meta: {} } });
    expect(eventTypeOf(keygen, request(body))).toBe("license.created");
  });

  test("generic: the configured header or JSON path, and no type without one", () => {
    const byHeader: ProviderScheme = {
      scheme: "generic",
      eventId: {},
      signature: "none",
      eventType: { header: "x-event-type" },
    };
    expect(eventTypeOf(byHeader, request("{}", { "x-event-type": "order.paid" }))).toBe("order.paid");
    const byPath: ProviderScheme = {
      scheme: "generic",
      eventId: {},
      signature: "none",
      eventType: { jsonPath: "meta.kind" },
    };
    expect(eventTypeOf(byPath, request('{"meta":{"kind":"order.refunded"}}'))).toBe("order.refunded");
    expect(eventTypeOf({ scheme: "generic", eventId: {}, signature: "none" }, request('{"type":"a"}'))).toBeUndefined();
  });

  test.each([
    ["a body that is not JSON", "not json"],
    ["a type that is not a string", '{"type":7}'],
    ["an empty type", '{"type":"  "}'],
    ["an overlong type", JSON.stringify({ type: "t".repeat(257) })],
    ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0x74, 0xff, 0x22, 0x7d])],
  ])("has no type for %s", (_name, body) => {
    expect(eventTypeOf(stripe, request(body))).toBeUndefined();
  });
});
