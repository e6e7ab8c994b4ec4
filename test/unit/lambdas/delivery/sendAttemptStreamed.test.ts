import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { sendAttempt } from "../../../../lambdas/delivery/sendAttempt.ts";

/** A consumer on a local port that records each request's headers and body, answering 200 (or as told). */
interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}
const received: Received[] = [];
let server: Server;
let url: URL;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      const status = request.url === "/slow" ? undefined : 200;
      if (status === undefined) setTimeout(() => response.end("late"), 500);
      else response.end("ok");
    });
    request.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function streamOf(body: Buffer, chunkBytes = 16 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let start = 0; start < body.byteLength; start += chunkBytes)
    chunks.push(body.subarray(start, start + chunkBytes));
  return Readable.from(chunks);
}

describe("sendAttempt with a streamed payload", () => {
  test("POSTs the stream's exact bytes with its Content-Length (not chunked), then destroys the stream", async () => {
    received.length = 0;
    const body = Buffer.from(JSON.stringify({ blob: "x".repeat(300_000), id: "evt_1" }));
    const stream = streamOf(body);
    const request = {
      url,
      headers: { "webhook-id": "whk_1" },
      payload: { stream, bytes: body.byteLength },
      timeoutMs: 5_000,
    };
    const result = await sendAttempt(request, fetch);
    expect(result.outcome).toEqual({ kind: "response", status: 200 });
    expect(received).toHaveLength(1);
    expect(received[0]?.body.equals(body)).toBe(true);
    expect(received[0]?.headers).toMatchObject({ "content-length": String(body.byteLength), "webhook-id": "whk_1" });
    expect(received[0]?.headers["transfer-encoding"]).toBeUndefined();
    expect(stream.destroyed).toBe(true);
  });

  test("fails as a network error when the stream fails mid-body, and the consumer never sees a whole request", async () => {
    received.length = 0;
    let sent = 0;
    const stream = new Readable({
      read() {
        if (sent++ < 3) this.push(Buffer.alloc(16 * 1024, 0x61));
        else this.destroy(Object.assign(new Error("the request socket timed out"), { code: "ETIMEDOUT" }));
      },
    });
    const result = await sendAttempt(
      { url, headers: {}, payload: { stream, bytes: 1_000_000 }, timeoutMs: 5_000 },
      fetch,
    );
    expect(result.outcome).toEqual({ kind: "network-error", code: "ETIMEDOUT" });
    expect(stream.destroyed).toBe(true);
    expect(received).toHaveLength(0);
  });

  test("times out like an in-memory attempt, and destroys the stream", async () => {
    const stream = streamOf(Buffer.from("{}"));
    const slow = new URL("/slow", url);
    const result = await sendAttempt({ url: slow, headers: {}, payload: { stream, bytes: 2 }, timeoutMs: 100 }, fetch);
    expect(result.outcome).toEqual({ kind: "timeout" });
    expect(stream.destroyed).toBe(true);
  });
});
