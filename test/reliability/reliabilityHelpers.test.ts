import { describe, expect, test } from "@jest/globals";
import { retryScheduleCovering } from "../../bench/reliability/consumerOutage.ts";
import { hostileRequest } from "../../bench/reliability/hostileRequests.ts";
import { seededRandom } from "../../bench/reliability/seededRandom.ts";

describe("the reliability harness's own pieces", () => {
  test("a seed gives the same sequence every time, another seed another one", () => {
    const draw = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    for (const value of draw(1)) expect(value >= 0 && value < 1).toBe(true);
  });

  test("the outage's retry schedule outlasts twice the outage even with −20 % jitter", () => {
    for (const seconds of [1, 5, 30, 90]) {
      const total = retryScheduleCovering(seconds).reduce((sum, delay) => sum + delay, 0);
      expect(total * 0.8).toBeGreaterThanOrEqual(2 * seconds);
    }
    expect(retryScheduleCovering(5)).toEqual([1, 2, 4, 8]);
  });

  test("hostile requests: the same seed generates the same requests; forgeries are marked as to be refused", () => {
    const generate = () => {
      const context = { env: {}, baseUrl: "http://127.0.0.1:4000", marker: "m", random: seededRandom(3), prefix: "h" };
      return Array.from({ length: 200 }, (_, index) => hostileRequest(index, context, []));
    };
    const first = generate();
    expect(first.map(({ kind, path, method, mustReject }) => ({ kind, path, method, mustReject }))).toEqual(
      generate().map(({ kind, path, method, mustReject }) => ({ kind, path, method, mustReject })),
    );
    const mustReject = ["forged_signature", "tampered_body", "stale_timestamp", "future_timestamp", "over_limit"];
    for (const request of first) if (mustReject.includes(request.kind)) expect(request.mustReject).toBe(true);
    expect(new Set(first.map(({ kind }) => kind)).size).toBeGreaterThanOrEqual(12);
  });
});
