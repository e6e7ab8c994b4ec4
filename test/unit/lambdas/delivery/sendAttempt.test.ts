import { describe, expect, test } from "@jest/globals";
import { RESPONSE_READ_LIMIT_BYTES, sendAttempt } from "../../../../lambdas/delivery/sendAttempt.ts";

const request = {
  url: new URL("https://consumer.example/hooks"),
  headers: { "idempotency-key": "whk_1" },
  payload: new TextEncoder().encode("{}"),
  timeoutMs: 1_000,
};

/** A stopwatch that advances 25 ms per reading. */
function steppingStopwatch() {
  let now = 0;
  return () => (now += 25);
}

/** A fetch answering with `status` and a body streamed in `chunks`, counting how many chunks were pulled. */
function streamingFetch(status: number, chunks: Uint8Array[], headers: Record<string, string> = {}) {
  const pulled = { count: 0 };
  const fetchImpl = (async () => {
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks[index++];
        pulled.count++;
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      },
    });
    return new Response(body, { status, headers });
  }) as typeof fetch;
  return { fetchImpl, pulled };
}

describe("sendAttempt", () => {
  test("POSTs the payload with the headers, without following redirects, under a timeout", async () => {
    let seen: RequestInit | undefined;
    const fetchImpl = (async (_url: URL, init: RequestInit) => {
      seen = init;
      return new Response("ok", { status: 200 });
    }) as unknown as typeof fetch;
    const result = await sendAttempt(request, fetchImpl, steppingStopwatch());
    expect(seen).toMatchObject({ method: "POST", headers: request.headers, body: request.payload, redirect: "manual" });
    expect(seen?.signal).toBeInstanceOf(AbortSignal);
    expect(result).toEqual({
      outcome: { kind: "response", status: 200 },
      responseBodyStart: new TextEncoder().encode("ok"),
      latencyMs: 25,
    });
  });

  test("passes Retry-After on", async () => {
    const { fetchImpl } = streamingFetch(429, [], { "retry-after": "120" });
    const result = await sendAttempt(request, fetchImpl);
    expect(result.outcome).toEqual({ kind: "response", status: 429, retryAfterHeader: "120" });
  });

  test("keeps the first 1024 bytes and stops reading at the limit", async () => {
    const chunk = new Uint8Array(4096).fill(0x61);
    const { fetchImpl, pulled } = streamingFetch(
      200,
      Array.from({ length: 1000 }, () => chunk),
    );
    const result = await sendAttempt(request, fetchImpl);
    expect(result.responseBodyStart).toEqual(new Uint8Array(1024).fill(0x61));
    expect(pulled.count).toBeLessThanOrEqual(RESPONSE_READ_LIMIT_BYTES / chunk.byteLength + 2);
  });

  test("keeps what arrived when the body breaks off after the status", async () => {
    const fetchImpl = (async () => {
      let pulls = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulls++ === 0) controller.enqueue(new TextEncoder().encode("partial"));
          else controller.error(new Error("socket hang up"));
        },
      });
      return new Response(body, { status: 502 });
    }) as typeof fetch;
    const result = await sendAttempt(request, fetchImpl);
    expect(result.outcome).toEqual({ kind: "response", status: 502 });
    expect(new TextDecoder().decode(result.responseBodyStart)).toBe("partial");
  });

  test("turns a timeout into a timeout outcome", async () => {
    const fetchImpl = ((_url: URL, init: RequestInit) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      })) as unknown as typeof fetch;
    const result = await sendAttempt({ ...request, timeoutMs: 20 }, fetchImpl);
    expect(result.outcome).toEqual({ kind: "timeout" });
    expect(result.responseBodyStart).toHaveLength(0);
  });

  test("turns a network error into its system error code", async () => {
    const fetchImpl = (async () => {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) });
    }) as typeof fetch;
    expect((await sendAttempt(request, fetchImpl)).outcome).toEqual({ kind: "network-error", code: "ECONNREFUSED" });
  });

  test("names a network error without a code by its error name", async () => {
    const fetchImpl = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    expect((await sendAttempt(request, fetchImpl)).outcome).toEqual({ kind: "network-error", code: "TypeError" });
  });
});
