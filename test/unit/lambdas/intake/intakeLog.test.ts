import { describe, expect, test } from "@jest/globals";
import { capForLog, type IntakeLogLine, logIntake } from "../../../../lambdas/intake/intakeLog.ts";

/** What CloudWatch ingests per accepted event from the intake, besides Lambda's own wrapper and platform lines. */
const ACCEPTED_LINE_BUDGET_BYTES = 400;

function written(line: IntakeLogLine): Record<string, unknown> {
  const lines: Record<string, unknown>[] = [];
  logIntake((entry) => lines.push(entry), line);
  expect(lines).toHaveLength(1);
  return lines[0] as Record<string, unknown>;
}

const accepted: IntakeLogLine = {
  provider: "stripe",
  eventId: capForLog(`evt_${"x".repeat(300)}`),
  idempotencyKey: `whk_${"a".repeat(43)}`,
  outcome: "accepted",
  status: 202,
  bodyBytes: 2048,
  verifyMs: 0.123456,
  storeMs: 4.56789,
  enqueueMs: 3.21,
  totalMs: 8.7654321,
};

describe("the intake's log line", () => {
  test("an accepted event's line stays within its byte budget, even with the longest id we log", () => {
    const bytes = Buffer.byteLength(JSON.stringify(written(accepted)));
    expect(bytes).toBeLessThanOrEqual(ACCEPTED_LINE_BUDGET_BYTES);
  });

  test("logs a plain duplicate at debug (counted by the Duplicate metric instead), a requeue at info", () => {
    expect(written({ ...accepted, outcome: "duplicate", status: 200 }).level).toBe("debug");
    expect(written({ ...accepted, outcome: "requeued", status: 200 }).level).toBe("info");
    expect(written(accepted).level).toBe("info");
  });

  test("logs a 503 at error and a failed QUEUED mark at warn", () => {
    expect(written({ ...accepted, outcome: "unavailable", status: 503, error: "enqueue_failed" }).level).toBe("error");
    expect(written({ ...accepted, markQueuedError: "TimeoutError" }).level).toBe("warn");
  });

  test("rounds durations to a tenth of a millisecond", () => {
    expect(written(accepted)).toMatchObject({ verifyMs: 0.1, storeMs: 4.6, enqueueMs: 3.2, totalMs: 8.8 });
  });
});
