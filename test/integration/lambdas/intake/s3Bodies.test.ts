import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { openBody } from "../../../../lambdas/shared/body/s3BodyStore.ts";
import { eventPartitionKey } from "../../../../lambdas/shared/eventKey.ts";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import { largeJsonBody, objectKeys } from "../../../support/largeBodies.ts";
import { githubEventId, githubWebhook } from "../../../support/signedWebhooks.ts";

let h: IntakeHarness;
beforeAll(async () => {
  h = await startIntakeHarness();
});
afterAll(async () => {
  await h.stop();
});

async function read(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const webhook = (deliveryId: string, body: string) => githubWebhook({ secret: h.credentials.github, deliveryId, body });

describe("intake of bodies above the inline limit", () => {
  test("uploads a 64 KB body to the bucket before the state, which names it, and writes no body item", async () => {
    const deliveryId = randomUUID();
    const body = largeJsonBody(64 * 1024, 11);
    expect((await h.intake()(webhook(deliveryId, body))).statusCode).toBe(202);
    const pk = eventPartitionKey("github", githubEventId(deliveryId));
    const state = await h.item(pk);
    expect(state?.status).toBe("QUEUED");
    expect(state?.body).toMatchObject({ kind: "s3", bucket: h.bodyBucket, encoding: "gzip", bytes: body.length });
    expect(await h.body(pk)).toBeUndefined();
    if (state?.body.kind !== "s3") throw new Error("not an S3 body");
    expect(state.body.storedBytes).toBeGreaterThan(7 * 1024);
    expect((await read(await openBody(h.s3, state.body))).equals(Buffer.from(body))).toBe(true);
  });

  test("keeps a 2 KB body inline (its own item), and nothing in the bucket", async () => {
    const before = await objectKeys(h.s3, h.bodyBucket);
    const deliveryId = randomUUID();
    const body = largeJsonBody(2 * 1024, 12);
    expect((await h.intake()(webhook(deliveryId, body))).statusCode).toBe(202);
    const pk = eventPartitionKey("github", githubEventId(deliveryId));
    expect((await h.item(pk))?.body).toMatchObject({ kind: "inline", bytes: body.length });
    expect(Buffer.from((await h.body(pk)) ?? []).equals(Buffer.from(body))).toBe(true);
    expect(await objectKeys(h.s3, h.bodyBucket)).toEqual(before);
  });

  test("answers a duplicate of a large body 200 with the one object it already has", async () => {
    const deliveryId = randomUUID();
    const body = largeJsonBody(32 * 1024, 13);
    expect((await h.intake()(webhook(deliveryId, body))).statusCode).toBe(202);
    const after = await objectKeys(h.s3, h.bodyBucket);
    const again = await h.intake()(webhook(deliveryId, body));
    expect(again.statusCode).toBe(200);
    expect(await objectKeys(h.s3, h.bodyBucket)).toEqual(after);
  });

  test("a crash after the upload, before the claim, leaves an object and no state; the retry accepts the event", async () => {
    const deliveryId = randomUUID();
    const body = largeJsonBody(20 * 1024, 14);
    const crashing = h.intake({
      faults: {
        afterBodyUpload: () => {
          throw new Error("crash");
        },
      },
    });
    expect((await crashing(webhook(deliveryId, body))).statusCode).toBe(503);
    const pk = eventPartitionKey("github", githubEventId(deliveryId));
    expect(await h.item(pk)).toBeUndefined();
    const orphaned = await objectKeys(h.s3, h.bodyBucket);
    expect((await h.intake()(webhook(deliveryId, body))).statusCode).toBe(202);
    expect(await objectKeys(h.s3, h.bodyBucket)).toEqual(orphaned);
    expect((await h.item(pk))?.status).toBe("QUEUED");
  });

  test("a retry after a crash past the claim stores nothing more and re-enqueues the abandoned event", async () => {
    const deliveryId = randomUUID();
    const body = largeJsonBody(20 * 1024, 15);
    const crashing = h.intake({
      faults: {
        afterStatePut: () => {
          throw new Error("crash");
        },
      },
    });
    expect((await crashing(webhook(deliveryId, body))).statusCode).toBe(503);
    const pk = eventPartitionKey("github", githubEventId(deliveryId));
    expect((await h.item(pk))?.status).toBe("RECEIVED");
    await h.takeJobs();
    h.clock.advance((h.config.sweepAfterSeconds + 1) * 1000);
    const retried = await h.intake()(webhook(deliveryId, body));
    expect(retried.statusCode).toBe(200);
    expect(await h.body(pk)).toBeUndefined();
    const state = await h.item(pk);
    expect(state?.status).toBe("QUEUED");
    expect((await h.takeJobs()).filter((job) => job.pk === pk)).toHaveLength(state?.destinationIds.length ?? -1);
  });
});
