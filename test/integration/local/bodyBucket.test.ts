import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "@jest/globals";
import { payloadWithUnits } from "../../../bench/compression/payloadSize.ts";
import { shopifyOrderCreate } from "../../../bench/compression/shopifyPayloads.ts";
import { encodeBody } from "../../../lambdas/shared/body/bodyCodec.ts";
import { openBody, putBody } from "../../../lambdas/shared/body/s3BodyStore.ts";
import { systemClock } from "../../../lambdas/shared/clock.ts";
import { startLocalServices } from "../../../local/localServices.ts";
import { LOCAL_BODY_BUCKET } from "../../../local/services/bodyBucket.ts";
import { createStackLog } from "../../../local/stackLog.ts";

const dataDir = mkdtempSync(join(tmpdir(), "oncegate-body-bucket-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const log = createStackLog({ clock: systemClock, write: () => {}, writeProblem: () => {} });

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("the local stack's body bucket", () => {
  test("is created at start on fauxqs, reached by the gateway's S3 client, and keeps its objects across a restart", async () => {
    const body = payloadWithUnits(shopifyOrderCreate, 800, 2); // a ~1.5 MB wholesale order
    const first = await startLocalServices({ dataDir, inMemory: false, log });
    let ref: Awaited<ReturnType<typeof putBody>>;
    try {
      expect(first.bodyBucket).toBe(LOCAL_BODY_BUCKET);
      ref = await putBody(first.gateway.s3, first.bodyBucket, encodeBody(body), {
        original: body,
        expiresAtEpochSec: 1,
      });
      expect((await readAll(await openBody(first.gateway.s3, ref))).equals(body)).toBe(true);
    } finally {
      await first.stop();
    }
    const second = await startLocalServices({ dataDir, inMemory: false, log });
    try {
      expect((await readAll(await openBody(second.gateway.s3, ref))).equals(body)).toBe(true);
    } finally {
      await second.stop();
    }
  });
});
