import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  BODY_CODEC,
  bodyDecoder,
  decodeBody,
  encodeBody,
  isBodyEncoding,
} from "../../../../../lambdas/shared/body/bodyCodec.ts";

const json = (bytes: number) =>
  Buffer.from(JSON.stringify({ items: Array.from({ length: bytes / 40 }, (_, i) => ({ id: i, status: "paid" })) }));

describe("encodeBody and decodeBody", () => {
  test("round-trips any bytes byte for byte, whatever the encoding chosen (property)", () => {
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 4096 }),
      // Repetitive text, so the gzip path is taken too.
      fc
        .array(fc.constantFrom("{", "}", '"id":', '"amount":42,', "usd", " ", "\n", "é", "\u{1f600}"), {
          maxLength: 600,
        })
        .map((parts) => new TextEncoder().encode(parts.join(""))),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        const encoded = encodeBody(body);
        expect(isBodyEncoding(encoded.encoding)).toBe(true);
        expect(Buffer.from(decodeBody(encoded)).equals(Buffer.from(body))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test("gzips webhook JSON that it shrinks by at least 10 %", () => {
    const body = json(4096);
    const encoded = encodeBody(body);
    expect(encoded.encoding).toBe("gzip");
    expect(encoded.data.byteLength).toBeLessThan(body.byteLength * BODY_CODEC.maxKeptRatio);
    expect(decodeBody(encoded).equals(body)).toBe(true);
  });

  test("keeps a body under 256 bytes as it is, without compressing it", () => {
    const body = Buffer.from(`{"id":"evt_1","padding":"${"a".repeat(200)}"}`);
    expect(body.byteLength).toBeLessThan(BODY_CODEC.minCompressibleBytes);
    expect(encodeBody(body)).toEqual({ encoding: "identity", data: body });
  });

  test("keeps incompressible bytes (random, already compressed) as they are", () => {
    const random = randomBytes(64 * 1024);
    expect(encodeBody(random)).toEqual({ encoding: "identity", data: random });
    const ids = Array.from({ length: 2000 }, () => ({ id: randomBytes(12).toString("hex"), object: "charge" }));
    const compressed = gzipSync(JSON.stringify(ids), { level: 9 });
    expect(encodeBody(compressed).encoding).toBe("identity");
  });

  test("decodes a view into a larger buffer without reading past it", () => {
    const body = json(2048);
    const { data } = encodeBody(body);
    const larger = Buffer.concat([Buffer.from("junk"), data, Buffer.from("junk")]);
    const view = larger.subarray(4, 4 + data.byteLength);
    expect(decodeBody({ encoding: "gzip", data: view }).equals(body)).toBe(true);
  });

  test("rejects data that is not gzip, and an unknown encoding", () => {
    expect(() => decodeBody({ encoding: "gzip", data: Buffer.from("not gzip") })).toThrow();
    expect(() => decodeBody({ encoding: "br" as never, data: Buffer.from("x") })).toThrow(/unknown body encoding "br"/);
    expect(isBodyEncoding("br")).toBe(false);
  });

  test("rejects gzip that decodes past the largest body (a bomb)", () => {
    const bomb = gzipSync(Buffer.alloc(BODY_CODEC.maxDecodedBytes + 1));
    expect(() => decodeBody({ encoding: "gzip", data: bomb })).toThrow(/larger than 8388608 bytes/);
  });
});

describe("bodyDecoder", () => {
  test("streams gzip back to the original, and passes identity through (no transform)", async () => {
    const body = json(256 * 1024);
    const decoder = bodyDecoder("gzip");
    if (decoder === undefined) throw new Error("expected a gunzip transform");
    decoder.end(encodeBody(body).data);
    const chunks: Buffer[] = [];
    for await (const chunk of decoder) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
    expect(Math.max(...chunks.map((chunk) => chunk.byteLength))).toBeLessThanOrEqual(16 * 1024);
    expect(bodyDecoder("identity")).toBeUndefined();
  });
});
