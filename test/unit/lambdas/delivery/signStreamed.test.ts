import { Readable } from "node:stream";
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { outboundHeaders, presignedOutboundHeaders } from "../../../../lambdas/delivery/outboundHeaders.ts";
import { signStreamed } from "../../../../lambdas/delivery/signStreamed.ts";
import { signStandardWebhook } from "../../../../lambdas/intake/signatures/standard.ts";

const SECRET_A = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SECRET_B = "whsec_aGVsbG8td29ybGQtc2lnbmluZy1zZWNyZXQ=";

/** `bytes` cut at `cuts`, as a stream of those chunks. */
function chunked(bytes: Uint8Array, cuts: number[]): Readable {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.byteLength]) {
    chunks.push(Buffer.from(bytes.subarray(start, point)));
    start = point;
  }
  return Readable.from(chunks);
}

describe("signStreamed", () => {
  test("equals the in-memory signer's signatures for the same bytes, however they are chunked (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.string(),
        fc.nat(),
        async (bytes, cuts, id, timestampSec) => {
          const streamed = await signStreamed({
            id,
            timestampSec,
            secrets: [SECRET_A, SECRET_B],
            body: chunked(bytes, cuts),
          });
          const body = Buffer.from(bytes);
          expect(streamed).toEqual({
            signatures: [SECRET_A, SECRET_B].map((secret) => signStandardWebhook({ id, timestampSec, body, secret })),
            bytes: bytes.byteLength,
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  test("gives the headers outboundHeaders gives for the same body, which standardwebhooks verifies", async () => {
    const payload = Buffer.from(JSON.stringify({ id: "evt_1", data: "é".repeat(40_000) }));
    const common = {
      idempotencyKey: "whk_key",
      provider: "github",
      eventId: "evt_1",
      contentType: "application/json",
      attempt: 1,
      trigger: "initial" as const,
      timestampSec: Math.floor(Date.now() / 1000),
    };
    const { signatures } = await signStreamed({
      id: common.idempotencyKey,
      timestampSec: common.timestampSec,
      secrets: [SECRET_A],
      body: chunked(payload, [1, 7, 16_384, 50_000]),
    });
    const headers = presignedOutboundHeaders({ ...common, signatures });
    expect(headers).toEqual(outboundHeaders({ ...common, payload, signingSecrets: [SECRET_A] }));
    expect(new Webhook(SECRET_A).verify(payload, headers)).toEqual(JSON.parse(payload.toString()));
  });

  test("rejects a malformed secret or timestamp before reading the body", async () => {
    const body = Readable.from([Buffer.from("{}")]);
    await expect(signStreamed({ id: "k", timestampSec: 1, secrets: ["whsec_***"], body })).rejects.toThrow(/whsec_/);
    await expect(signStreamed({ id: "k", timestampSec: 1.5, secrets: [SECRET_A], body })).rejects.toThrow(/whole/);
    expect(body.readableEnded).toBe(false);
  });

  test("fails with the body's error when the stream fails, signing nothing", async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error("body ended after 3 of its 10 bytes"));
      },
    });
    await expect(signStreamed({ id: "k", timestampSec: 1, secrets: [SECRET_A], body: failing })).rejects.toThrow(
      /ended after 3 of its 10 bytes/,
    );
  });
});
