import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import fc from "fast-check";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import { httpApiEvent } from "../../../support/signedWebhooks.ts";

let h: IntakeHarness;
beforeAll(async () => {
  h = await startIntakeHarness({ maxBodyBytes: 2048 });
});
afterAll(async () => {
  await h.stop();
});

// Header names the verifiers read, so random maps reach their parsers and not only the "missing" branch.
const KNOWN_HEADERS = [
  "stripe-signature",
  "x-hub-signature-256",
  "x-github-delivery",
  "x-github-hook-id",
  "x-shopify-hmac-sha256",
  "x-shopify-webhook-id",
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "keygen-signature",
  "date",
  "digest",
  "x-signature",
  "idempotency-key",
  "content-type",
  "user-agent",
  "X-Hub-Signature-256",
  "constructor",
  "__proto__",
];
const nowSec = () => String(Math.floor(h.clock.nowMs() / 1000));

const headerValue = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom("t=1,v1=00", "v1,AAAA", "sha256=", 'algorithm="ed25519"', "", " ", "sha-256=x"),
  fc.constant(null).map(() => nowSec()),
);
const headers = fc.dictionary(fc.oneof(fc.constantFrom(...KNOWN_HEADERS), fc.string({ maxLength: 20 })), headerValue, {
  maxKeys: 10,
});
const body = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: "binary", maxLength: 300 }),
  // Reaches the unsigned provider's acceptance path with odd ids (empty, numbers, lone surrogates, 2 KB) and,
  // through a few fixed ids, its duplicate path.
  fc
    .record({
      id: fc.oneof(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.integer(),
        fc.constantFrom("dup-1", "dup-2", "i".repeat(2048)),
      ),
    })
    .map((value) => JSON.stringify(value)),
);
const provider = fc.constantFrom(
  "stripe",
  "github",
  "shopify",
  "standard",
  "keygen",
  "generic",
  "open",
  "gitlab",
  "constructor",
  "STRIPE",
  "",
);
const request = fc.record({
  provider,
  body,
  headers,
  base64: fc.boolean(),
  method: fc.constantFrom("POST", "POST", "post", "GET", "PUT", ""),
  withoutPathParameters: fc.boolean(),
  shape: fc.constantFrom("full", "no-headers", "no-body", "no-request-context"),
});

type RequestInput = typeof request extends fc.Arbitrary<infer T> ? T : never;

const ACCEPTED_EXAMPLE: RequestInput = {
  provider: "open",
  body: JSON.stringify({ id: "example-1" }),
  headers: {},
  base64: true,
  method: "POST",
  withoutPathParameters: true,
  shape: "full",
};

const OVERSIZE_EXAMPLE: RequestInput = { ...ACCEPTED_EXAMPLE, body: Buffer.alloc(2049) };

function eventOf(input: RequestInput): APIGatewayProxyEventV2 {
  const event = httpApiEvent(input);
  if (input.shape === "no-headers") return { ...event, headers: undefined } as unknown as APIGatewayProxyEventV2;
  if (input.shape === "no-body") return { ...event, body: undefined };
  if (input.shape === "no-request-context")
    return { ...event, requestContext: undefined } as unknown as APIGatewayProxyEventV2;
  return event;
}

describe("intake under random input", () => {
  test("never throws, never answers 5xx, and writes nothing for a request it rejects", async () => {
    const handler = h.intake();
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const itemsBefore = (await h.items()).length;
        const jobsBefore = h.jobCount();
        const answer = await handler(eventOf(input));
        seen.add(answer.statusCode);
        expect(answer.statusCode).toBeLessThan(500);
        expect(answer.headers["Content-Type"]).toBe("application/json");
        const parsed = JSON.parse(answer.body);
        if (answer.statusCode >= 400) {
          expect(parsed).toEqual({ ok: false, error: expect.any(String), message: expect.any(String) });
          expect(await h.items()).toHaveLength(itemsBefore);
          expect(h.jobCount()).toBe(jobsBefore);
        } else {
          expect(parsed.ok).toBe(true);
        }
      }),
      // Fixed runs first, so acceptance, its duplicate and the rarest refusal are always among the paths exercised.
      { numRuns: 300, examples: [[ACCEPTED_EXAMPLE], [ACCEPTED_EXAMPLE], [OVERSIZE_EXAMPLE]] },
    );
    // The generators reached acceptance as well as each kind of refusal.
    expect([...seen].sort()).toEqual(expect.arrayContaining([200, 202, 400, 401, 404, 405, 413]));
  });
});
