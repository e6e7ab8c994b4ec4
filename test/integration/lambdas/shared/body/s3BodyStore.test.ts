import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { Webhook } from "standardwebhooks";
import { githubPush } from "../../../../../bench/compression/githubPayloads.ts";
import { payloadOfSize, payloadWithUnits } from "../../../../../bench/compression/payloadSize.ts";
import { presignedOutboundHeaders } from "../../../../../lambdas/delivery/outboundHeaders.ts";
import { sendAttempt } from "../../../../../lambdas/delivery/sendAttempt.ts";
import { signStreamed } from "../../../../../lambdas/delivery/signStreamed.ts";
import { encodeBody } from "../../../../../lambdas/shared/body/bodyCodec.ts";
import { BODY_KEY_PREFIX, sha256Hex } from "../../../../../lambdas/shared/body/bodyObjectKey.ts";
import { openBody, putBody, type S3BodyRef } from "../../../../../lambdas/shared/body/s3BodyStore.ts";
import { ensureLocalBodyBucket, localBodyS3Client } from "../../../../../local/services/bodyBucket.ts";
import { type LocalSqs, startLocalSqs } from "../../../../support/fauxqs.ts";

const FIVE_MB = 5 * 1024 * 1024;
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const EXPIRES_AT = Math.floor(Date.now() / 1000) + 30 * 86_400;

let local: LocalSqs;
let s3: ReturnType<typeof localBodyS3Client>;
let bucket: string;
beforeAll(async () => {
  local = await startLocalSqs();
  bucket = ensureLocalBodyBucket(local.server, `bodies-${randomUUID().slice(0, 8)}`);
  s3 = localBodyS3Client(local.endpoint);
});
afterAll(async () => {
  s3.destroy();
  await local.stop();
});

/** A GitHub push of 6 900 commits: just over 5 MB (one build; searching for the exact size takes seconds). */
function fiveMegabytePush(seed: number): Buffer {
  const body = payloadWithUnits(githubPush, 6_900, seed);
  expect(body.byteLength).toBeGreaterThanOrEqual(FIVE_MB);
  return body;
}

async function store(body: Buffer): Promise<S3BodyRef> {
  return putBody(s3, bucket, encodeBody(body), { original: body, expiresAtEpochSec: EXPIRES_AT });
}

/** Reads a stream to its end, keeping the bytes and the largest chunk it produced. */
async function drain(stream: AsyncIterable<Buffer>): Promise<{ body: Buffer; largestChunk: number }> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { body: Buffer.concat(chunks), largestChunk: Math.max(0, ...chunks.map((chunk) => chunk.byteLength)) };
}

describe("putBody and openBody against fauxqs's S3", () => {
  test("round-trips a 5 MB GitHub push byte for byte through put and a streamed open, in small chunks", async () => {
    const body = fiveMegabytePush(1);
    const ref = await store(body);
    expect(ref).toEqual({
      bucket,
      key: `${BODY_KEY_PREFIX}${ref.sha256.slice(0, 2)}/${sha256Hex(body)}.gz`,
      encoding: "gzip",
      bytes: body.byteLength,
      storedBytes: expect.any(Number),
      sha256: sha256Hex(body),
    });
    expect(ref.storedBytes).toBeLessThan(body.byteLength / 3);
    const { body: read, largestChunk } = await drain(await openBody(s3, ref));
    expect(read.equals(body)).toBe(true);
    // Decompressed as it streams: never the whole body, nor the whole object, in one buffer.
    expect(largestChunk).toBeLessThanOrEqual(64 * 1024);
  });

  test("signs a 5 MB body streamed once and POSTs it streamed again: standardwebhooks verifies what arrives", async () => {
    const body = fiveMegabytePush(7);
    const ref = await store(body);
    const consumer = await startConsumer();
    try {
      const timestampSec = Math.floor(Date.now() / 1000);
      const signed = await signStreamed({
        id: "whk_big",
        timestampSec,
        secrets: [SECRET],
        body: await openBody(s3, ref),
      });
      expect(signed.bytes).toBe(body.byteLength);
      const headers = presignedOutboundHeaders({
        idempotencyKey: "whk_big",
        provider: "github",
        eventId: "delivery-1",
        contentType: "application/json",
        attempt: 1,
        trigger: "initial",
        timestampSec,
        signatures: signed.signatures,
      });
      const stream = await openBody(s3, ref);
      const payload = { stream, bytes: ref.bytes };
      const result = await sendAttempt({ url: consumer.url, headers, payload, timeoutMs: 20_000 }, fetch);
      expect(result.outcome).toEqual({ kind: "response", status: 204 });
      const [request] = consumer.received;
      expect(request?.body.equals(body)).toBe(true);
      expect(request?.headers["content-length"]).toBe(String(body.byteLength));
      const verified = new Webhook(SECRET).verify(request?.body ?? "", request?.headers as Record<string, string>);
      expect((verified as { ref: string }).ref).toBe("refs/heads/main");
    } finally {
      await consumer.stop();
    }
  });

  test("is idempotent: the same bytes give the same reference and one object, however often they are put", async () => {
    const body = payloadOfSize(githubPush, 64 * 1024, 11);
    const refs = await Promise.all([store(body), store(body), store(Buffer.from(body))]);
    expect(new Set(refs.map((ref) => JSON.stringify(ref))).size).toBe(1);
    const prefix = (refs[0] as S3BodyRef).key;
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    expect(listed.KeyCount).toBe(1);
  });

  test("stores an incompressible body as it is (.raw) and reads it back", async () => {
    const body = randomBytes(300 * 1024);
    const ref = await store(body);
    expect(ref).toMatchObject({ encoding: "identity", storedBytes: body.byteLength });
    expect(ref.key.endsWith(".raw")).toBe(true);
    expect((await drain(await openBody(s3, ref))).body.equals(body)).toBe(true);
  });

  test("writes the SHA-256 checksum S3 verifies, and metadata that explains the object", async () => {
    const body = payloadOfSize(githubPush, 8 * 1024, 3);
    const encoded = encodeBody(body);
    const ref = await putBody(s3, bucket, encoded, { original: body, expiresAtEpochSec: EXPIRES_AT });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: ref.key, ChecksumMode: "ENABLED" }));
    expect(head.ChecksumSHA256).toBe(Buffer.from(sha256Hex(Buffer.from(encoded.data)), "hex").toString("base64"));
    expect(head.Metadata).toEqual({
      "oncegate-encoding": "gzip",
      "oncegate-bytes": String(body.byteLength),
      "oncegate-sha256": ref.sha256,
      "oncegate-expires-at": String(EXPIRES_AT),
    });
  });

  test("fails the stream, instead of ending it, when the object is not the body its reference describes", async () => {
    const body = payloadOfSize(githubPush, 16 * 1024, 5);
    const ref = await store(body);
    const other = encodeBody(payloadOfSize(githubPush, 16 * 1024, 6));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: ref.key, Body: other.data }));
    await expect(drain(await openBody(s3, ref))).rejects.toMatchObject({
      name: "BodyIntegrityError",
      code: "body_integrity",
    });
  });

  test("rejects opening a body whose object is missing", async () => {
    const ref = { ...(await store(Buffer.from("{}"))), key: `${BODY_KEY_PREFIX}00/${"0".repeat(64)}.gz` };
    await expect(openBody(s3, ref)).rejects.toMatchObject({ name: "NoSuchKey" });
  });
});

interface Consumer {
  url: URL;
  received: { headers: IncomingHttpHeaders; body: Buffer }[];
  stop(): Promise<void>;
}

/** A consumer on a local port that keeps what it receives and answers 204. */
async function startConsumer(): Promise<Consumer> {
  const received: Consumer["received"] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`),
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
