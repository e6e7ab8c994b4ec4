import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, test } from "@jest/globals";
import { sha256Hex } from "../../../../../lambdas/shared/body/bodyObjectKey.ts";
import { BodyIntegrityError, verifiedBody } from "../../../../../lambdas/shared/body/verifiedBody.ts";

const body = Buffer.from('{"id":"evt_1","object":"event"}');
const expected = { bytes: body.byteLength, sha256: sha256Hex(body) };

async function readThrough(chunks: Buffer[], expectation = expected): Promise<Buffer> {
  const received: Buffer[] = [];
  const verifier = verifiedBody(expectation);
  await pipeline(Readable.from(chunks), verifier, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) received.push(chunk);
  });
  return Buffer.concat(received);
}

describe("verifiedBody", () => {
  test("passes the expected bytes through unchanged, in any chunking", async () => {
    expect((await readThrough([body])).equals(body)).toBe(true);
    expect((await readThrough([body.subarray(0, 5), body.subarray(5)])).equals(body)).toBe(true);
  });

  test("fails a body that is short, long, or altered, instead of ending it", async () => {
    await expect(readThrough([body.subarray(0, 10)])).rejects.toThrow(/ended after 10 of its 31 bytes/);
    await expect(readThrough([body, Buffer.from("x")])).rejects.toThrow(/longer than its 31 bytes/);
    const altered = Buffer.from(body);
    altered[3] = 0x4a;
    await expect(readThrough([altered])).rejects.toThrow(/does not match its sha256/);
  });
});

test("names its failures with a code an attempt records", () => {
  expect(new BodyIntegrityError("x")).toMatchObject({ name: "BodyIntegrityError", code: "body_integrity" });
});
