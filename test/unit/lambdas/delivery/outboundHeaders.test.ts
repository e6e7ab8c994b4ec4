import { readFileSync } from "node:fs";
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { eventIdHeaderValue, ONCEGATE_VERSION, outboundHeaders } from "../../../../lambdas/delivery/outboundHeaders.ts";
import { verifyStandard } from "../../../../lambdas/intake/signatures/standard.ts";

const SECRET_A = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SECRET_B = "whsec_aGVsbG8td29ybGQtc2lnbmluZy1zZWNyZXQ=";
const payload = new TextEncoder().encode('{"id":"evt_1"}');
const input = {
  idempotencyKey: "whk_key",
  provider: "stripe",
  eventId: "evt_1",
  contentType: undefined,
  attempt: 3,
  trigger: "retry" as const,
  timestampSec: 1_767_225_600,
  payload,
  signingSecrets: [SECRET_A],
};

describe("outboundHeaders", () => {
  test("sends the stable key as Idempotency-Key and webhook-id, and Oncegate's own headers", () => {
    expect(outboundHeaders(input)).toEqual({
      "content-type": "application/json",
      "idempotency-key": "whk_key",
      "webhook-id": "whk_key",
      "webhook-timestamp": "1767225600",
      "webhook-signature": expect.stringMatching(/^v1,[A-Za-z0-9+/]+=*$/),
      "oncegate-provider": "stripe",
      "oncegate-event-id": "evt_1",
      "oncegate-attempt": "3",
      "oncegate-attempt-trigger": "retry",
      "user-agent": `Oncegate/${ONCEGATE_VERSION}`,
    });
  });

  test("signs with every secret, and each signature verifies on its own", () => {
    const headers = outboundHeaders({ ...input, signingSecrets: [SECRET_A, SECRET_B] });
    expect(headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    const request = { headers, rawBody: Buffer.from(payload), method: "POST", rawPath: "/" };
    for (const secret of [SECRET_A, SECRET_B]) {
      expect(verifyStandard(request, { secrets: [secret] }, input.timestampSec * 1000)).toMatchObject({ ok: true });
    }
  });

  test("signs a payload that is a view into a larger buffer over the view's bytes only", () => {
    const backing = new Uint8Array([0xaa, ...payload, 0xbb]);
    const view = backing.subarray(1, 1 + payload.byteLength);
    expect(outboundHeaders({ ...input, payload: view })["webhook-signature"]).toBe(
      outboundHeaders(input)["webhook-signature"],
    );
  });
});

describe("eventIdHeaderValue", () => {
  test("sends a visible-ASCII id as it is", () => {
    expect(eventIdHeaderValue("evt_1MqR:x/y=z")).toBe("evt_1MqR:x/y=z");
  });

  test.each(["a b", "ünïcode", "100%", "line\nbreak", " lead"])("percent-encodes %j", (id) => {
    const value = eventIdHeaderValue(id);
    expect(value).toMatch(/^[\x21-\x7e]+$/);
    expect(decodeURIComponent(value)).toBe(id);
  });

  test("is undone by percent-decoding, and never gives two ids the same value", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", minLength: 1 }),
        fc.string({ unit: "grapheme", minLength: 1 }),
        (a, b) => {
          expect(decodeURIComponent(eventIdHeaderValue(a))).toBe(a);
          if (a !== b) expect(eventIdHeaderValue(a)).not.toBe(eventIdHeaderValue(b));
        },
      ),
    );
  });
});

test("ONCEGATE_VERSION is package.json's version", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../../../package.json", import.meta.url), "utf8"));
  expect(ONCEGATE_VERSION).toBe(pkg.version);
});
