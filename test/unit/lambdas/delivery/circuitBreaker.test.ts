import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  admissionOf,
  FailureRateWindow,
  isCircuitFailure,
  PAUSED_HOLD_SECONDS,
  updateAfterFailure,
  updateAfterSuccess,
} from "../../../../lambdas/delivery/circuitBreaker.ts";
import type { AttemptOutcome } from "../../../../lambdas/delivery/retryPolicy.ts";
import { CIRCUIT_BREAKER_DEFAULTS } from "../../../../lambdas/shared/circuitBreakerConfig.ts";
import { type DestinationControl, initialControl } from "../../../../lambdas/shared/destinationControl.ts";

const NOW = 1_800_000_000_000;

function open(fields: Partial<DestinationControl> = {}): DestinationControl {
  return { ...initialControl("orders"), circuit: "open", probeAtMs: NOW + 30_000, probeDelaySeconds: 30, ...fields };
}

describe("admissionOf", () => {
  test("closed: attempt; paused: held whatever the circuit", () => {
    expect(admissionOf(initialControl("orders"), NOW)).toEqual({ kind: "attempt" });
    for (const control of [
      { ...initialControl("orders"), paused: true },
      { ...open(), paused: true },
    ]) {
      expect(admissionOf(control, NOW)).toEqual({ kind: "hold", seconds: PAUSED_HOLD_SECONDS, reason: "paused" });
    }
  });

  test("open: held until the probe, then one probe unless a probe's lease is running", () => {
    expect(admissionOf(open(), NOW)).toEqual({ kind: "hold", seconds: 30, reason: "circuit_open" });
    expect(admissionOf(open(), NOW + 29_001)).toEqual({ kind: "hold", seconds: 1, reason: "circuit_open" });
    expect(admissionOf(open(), NOW + 30_000)).toEqual({ kind: "probe" });
    const leased = open({ probeLeaseUntilMs: NOW + 45_000 });
    expect(admissionOf(leased, NOW + 31_000)).toEqual({ kind: "hold", seconds: 14, reason: "circuit_open" });
    expect(admissionOf(leased, NOW + 45_001)).toEqual({ kind: "probe" });
  });

  test("never holds for less than a second, nor attempts while open before the probe", () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), (offset) => {
        const admission = admissionOf(open(), NOW + 30_000 + offset);
        if (offset < 0) expect(admission).toMatchObject({ kind: "hold", reason: "circuit_open" });
        else expect(admission).toEqual({ kind: "probe" });
        if (admission.kind === "hold") expect(admission.seconds).toBeGreaterThanOrEqual(1);
      }),
    );
  });
});

describe("what counts as a failure", () => {
  test.each<[AttemptOutcome, boolean]>([
    [{ kind: "timeout" }, true],
    [{ kind: "network-error", code: "ECONNREFUSED" }, true],
    [{ kind: "response", status: 500 }, true],
    [{ kind: "response", status: 503 }, true],
    [{ kind: "response", status: 429 }, true],
    [{ kind: "response", status: 408 }, true],
    [{ kind: "response", status: 200 }, false],
    [{ kind: "response", status: 301 }, false],
    [{ kind: "response", status: 404 }, false],
    [{ kind: "response", status: 422 }, false],
  ])("%j → %s", (outcome, failure) => {
    expect(isCircuitFailure(outcome)).toBe(failure);
  });
});

describe("updates", () => {
  test("a healthy destination's success writes nothing; one after failures or while open resets or closes", () => {
    expect(updateAfterSuccess(initialControl("orders"), NOW, false)).toBeUndefined();
    expect(updateAfterSuccess({ ...initialControl("orders"), consecutiveFailures: 4 }, NOW, false)).toEqual({
      set: { consecutiveFailures: 0, lastSuccessAtMs: NOW },
    });
    expect(updateAfterSuccess(open(), NOW, true)).toMatchObject({
      set: { circuit: "closed", consecutiveFailures: 0 },
      remove: expect.arrayContaining(["probeAtMs", "probeLeaseUntilMs"]),
      change: { change: "closed", reason: "probe_answered" },
    });
  });

  test("a failed probe doubles the wait up to the cap, and never below the first", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), (failedProbes) => {
        let control = open();
        for (let probe = 0; probe < failedProbes; probe++) {
          const update = updateAfterFailure(control, { kind: "timeout" }, NOW, true, CIRCUIT_BREAKER_DEFAULTS);
          control = { ...control, ...update.set } as DestinationControl;
        }
        const expected = Math.min(
          CIRCUIT_BREAKER_DEFAULTS.maxProbeAfterSeconds,
          CIRCUIT_BREAKER_DEFAULTS.probeAfterSeconds * 2 ** failedProbes,
        );
        expect(control.probeDelaySeconds).toBe(expected);
        expect(control.probeAtMs).toBe(NOW + expected * 1000);
      }),
    );
  });
});

describe("FailureRateWindow", () => {
  test("matches a model: over the window, at least minimumAttempts, failures at the rate or above", () => {
    const breaker = { ...CIRCUIT_BREAKER_DEFAULTS, minimumAttempts: 5, windowSeconds: 10, failureRatePercent: 60 };
    fc.assert(
      fc.property(
        fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 4_000 }), failed: fc.boolean() }), { maxLength: 60 }),
        (attempts) => {
          const window = new FailureRateWindow(breaker);
          const seen: { atMs: number; failed: boolean }[] = [];
          let nowMs = NOW;
          for (const attempt of attempts) {
            nowMs += attempt.gapMs;
            window.record(nowMs, attempt.failed);
            seen.push({ atMs: nowMs, failed: attempt.failed });
            const recent = seen.filter((entry) => entry.atMs >= nowMs - 10_000);
            const failed = recent.filter((entry) => entry.failed).length;
            const expected = recent.length >= 5 && failed * 100 >= 60 * recent.length;
            expect(window.exceeded(nowMs)).toBe(expected);
          }
        },
      ),
    );
  });
});
