import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { destinationIdsFor, newEventItem, storedHeaders } from "../../../../lambdas/intake/newEventItem.ts";
import { InvalidEventIdError } from "../../../../lambdas/shared/errors.ts";
import { eventPartitionKey, idempotencyKeyFor } from "../../../../lambdas/shared/eventKey.ts";
import { indexShardCounts, listShardOf } from "../../../../lambdas/shared/indexShards.ts";
import { parseGatewayConfig } from "../../../../lambdas/shared/parseGatewayConfig.ts";
import { restoreBody } from "../../../../lambdas/shared/storedBody.ts";
import { allProvidersConfig } from "../../../support/gatewayFixtures.ts";

const config = parseGatewayConfig(allProvidersConfig({ eventRetentionSeconds: 86_400 * 2 }));
const NOW_MS = Date.UTC(2026, 10, 1, 12, 0, 0, 500);

function request(headers: Record<string, string> = {}) {
  return { rawBody: Buffer.from('{"id":"evt_1"}'), headers, method: "POST", rawPath: "/webhooks/stripe" };
}

describe("newEventItem", () => {
  test("builds a RECEIVED state in the sweep and listing indexes, every destination PENDING, and its body", () => {
    const item = newEventItem(
      {
        provider: "stripe",
        scheme: "stripe",
        eventId: "evt_1",
        request: request({ "content-type": "application/json" }),
      },
      config,
      NOW_MS,
    );
    const pk = eventPartitionKey("stripe", "evt_1");
    const shards = indexShardCounts(1_000);
    expect(item.state).toEqual({
      pk,
      sk: "state",
      provider: "stripe",
      eventId: "evt_1",
      idempotencyKey: idempotencyKeyFor("stripe", "evt_1"),
      status: "RECEIVED",
      // 14 bytes: gzip would only make them longer.
      body: { kind: "inline", encoding: "identity", bytes: 14 },
      contentType: "application/json",
      headers: { "content-type": "application/json" },
      attributes: {},
      receivedAtMs: NOW_MS,
      expiresAt: Math.floor(NOW_MS / 1000) + 172_800,
      listShard: listShardOf(pk, shards),
      destinationIds: ["primary", "audit"],
      destinations: { primary: { status: "PENDING", attempts: 0 }, audit: { status: "PENDING", attempts: 0 } },
      version: 0,
    });
    expect(item.rawBody).toEqual(Buffer.from('{"id":"evt_1"}'));
    expect(item.storedBody).toEqual({ encoding: "identity", data: Buffer.from('{"id":"evt_1"}'), bytes: 14 });
  });

  test("stores a compressible body gzip-encoded, restorable byte for byte, and names the encoding in the state", () => {
    const json = JSON.stringify({ id: "evt_2", lines: Array.from({ length: 40 }, (_, n) => ({ n, sku: "A-1" })) });
    const rawBody = Buffer.from(json);
    const item = newEventItem(
      { provider: "stripe", scheme: "stripe", eventId: "evt_2", request: { ...request(), rawBody } },
      config,
      NOW_MS,
    );
    expect(item.state.body).toEqual({ kind: "inline", encoding: "gzip", bytes: rawBody.byteLength });
    expect(item.storedBody.data.byteLength).toBeLessThan(rawBody.byteLength / 3);
    expect(Buffer.from(restoreBody(item.storedBody)).equals(rawBody)).toBe(true);
  });

  test("leaves contentType out when the request had none, and repairs lone surrogates in attributes", () => {
    const item = newEventItem(
      {
        provider: "shopify",
        scheme: "shopify",
        eventId: "w",
        request: request({ "x-shopify-topic": "a\ud800" }),
        attributes: { eventType: "a\ud800", shopifyEventId: "e\udc00" },
      },
      config,
      NOW_MS,
    );
    expect("contentType" in item.state).toBe(false);
    expect(item.state.attributes).toEqual({ eventType: "a\ufffd", shopifyEventId: "e\ufffd" });
  });

  test("throws InvalidEventIdError for an id it cannot key", () => {
    const event = { provider: "stripe", scheme: "stripe" as const, request: request() };
    expect(() => newEventItem({ ...event, eventId: "x".repeat(1025) }, config, NOW_MS)).toThrow(InvalidEventIdError);
    expect(() => newEventItem({ ...event, eventId: "\udc00" }, config, NOW_MS)).toThrow(InvalidEventIdError);
  });
});

describe("storedHeaders", () => {
  const all = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/1",
    "x-github-event": "push",
    "x-hub-signature-256": "sha256=abc",
    "x-shopify-topic": "orders/create",
    "x-shopify-hmac-sha256": "abc=",
    "stripe-signature": "t=1,v1=abc",
    authorization: "Bearer x",
  };

  test("keeps content type, user agent and the scheme's event type header only", () => {
    expect(storedHeaders(all, "github")).toEqual({
      kept: {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/1",
        "x-github-event": "push",
      },
      dropped: [],
    });
    expect(storedHeaders(all, "shopify").kept).toMatchObject({ "x-shopify-topic": "orders/create" });
    expect(Object.keys(storedHeaders(all, "stripe").kept)).toEqual(["content-type", "user-agent"]);
  });

  test.each([
    ["a character above U+00FF", "application/json; charset=☃"],
    ["a lone surrogate", "text/plain\uD800"],
    ["a line feed", "text/plain\nX-Injected: 1"],
    ["a NUL", "text/plain\u0000"],
    ["a trailing space", "text/plain "],
  ])("drops a value with %s, and names it", (_case, value) => {
    const result = storedHeaders({ ...all, "content-type": value }, "github");
    expect(result.kept).not.toHaveProperty("content-type");
    expect(result.dropped).toEqual(["content-type"]);
  });

  test("keeps Latin-1 text, a tab inside a value, and an empty value (fetch sends them)", () => {
    const headers = { "content-type": "text/plain;\tcharset=latin1; x=é", "user-agent": "" };
    expect(storedHeaders(headers, "stripe")).toEqual({ kept: headers, dropped: [] });
  });

  test("only ever keeps values fetch accepts as header values (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (value) => {
        const { kept } = storedHeaders({ "content-type": value }, "stripe");
        if (kept["content-type"] !== undefined) {
          expect(() => new Headers({ "content-type": kept["content-type"] as string })).not.toThrow();
          expect(new Headers({ "content-type": kept["content-type"] as string }).get("content-type")).toBe(value);
        }
      }),
    );
  });
});

describe("destinationIdsFor", () => {
  test("lists the destinations that receive a provider, in configuration order", () => {
    expect(destinationIdsFor(config, "github")).toEqual(["primary", "audit"]);
    expect(destinationIdsFor(config, "keygen")).toEqual(["primary"]);
  });
});

describe("routing by event type", () => {
  const signingSecrets = [{ env: "OUT" }];
  const routed = parseGatewayConfig({
    providers: {
      stripe: { scheme: "stripe", secrets: [{ env: "S" }] },
      github: { scheme: "github", secrets: [{ env: "G" }] },
    },
    destinations: [
      {
        id: "billing",
        url: "https://billing.example.com/",
        providers: ["stripe"],
        events: ["invoice.*"],
        signingSecrets,
      },
      { id: "crm", url: "https://crm.example.com/", events: ["customer.*", "pull_request"], signingSecrets },
      { id: "archive", url: "https://archive.example.com/", providers: ["github"], signingSecrets },
    ],
  });
  const stripeEvent = (type: string | undefined) =>
    newEventItem(
      {
        provider: "stripe",
        scheme: "stripe",
        eventId: `evt_${type}`,
        request: { ...request(), rawBody: Buffer.from(JSON.stringify({ id: "evt", type })) },
      },
      routed,
      NOW_MS,
    ).state;

  test("sends an event to the destinations whose filter takes its type, and records the type", () => {
    const invoice = stripeEvent("invoice.paid");
    expect(invoice.destinationIds).toEqual(["billing"]);
    expect(invoice.destinations).toEqual({ billing: { status: "PENDING", attempts: 0 } });
    expect(invoice.status).toBe("RECEIVED");
    expect(invoice.attributes).toEqual({ eventType: "invoice.paid" });
    expect(stripeEvent("customer.subscription.created").destinationIds).toEqual(["crm"]);
  });

  test("stores an event no filter takes as UNROUTED, with no destination", () => {
    for (const type of ["charge.succeeded", undefined]) {
      const state = stripeEvent(type);
      expect(state.status).toBe("UNROUTED");
      expect(state.destinationIds).toEqual([]);
      expect(state.destinations).toEqual({});
      // Listed like any event: an operator finds it.
      expect(state.listShard).toMatch(/^l#/);
    }
  });

  test("a GitHub event goes to a filter naming its event, and to the unfiltered destination", () => {
    const state = newEventItem(
      {
        provider: "github",
        scheme: "github",
        eventId: "1:guid",
        request: {
          ...request({ "x-github-event": "pull_request" }),
          rawBody: Buffer.from('{"action":"opened"}'),
        },
        attributes: { eventType: "pull_request" },
      },
      routed,
      NOW_MS,
    ).state;
    expect(state.destinationIds).toEqual(["crm", "archive"]);
    expect(state.attributes.eventType).toBe("pull_request.opened");
  });
});
