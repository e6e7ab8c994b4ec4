import { describe, expect, test } from "@jest/globals";
import { activityLine, createStackLog } from "../../../local/stackLog.ts";

describe("activityLine", () => {
  test("tells the story: a new event, a retry, a refusal; never a duplicate or a skipped job", () => {
    const accepted = { outcome: "accepted", status: 202, provider: "stripe", eventId: "evt_1" };
    expect(activityLine("intake", accepted)).toBe("stripe evt_1: accepted (202)");
    expect(activityLine("intake", { ...accepted, outcome: "duplicate", status: 200 })).toBeUndefined();
    expect(activityLine("intake", { outcome: "rejected", status: 401, error: "invalid_signature" })).toBe(
      "request: rejected (401 invalid_signature)",
    );
    const retry = { pk: "stripe#evt_1", destination: "demo", attempt: 2, outcome: "retry", statusCode: 409 };
    expect(activityLine("delivery", { ...retry, reason: "http_409", delaySeconds: 2 })).toBe(
      "stripe#evt_1 → demo: retry in 2 s (attempt 2, http_409)",
    );
    expect(activityLine("delivery", { ...retry, outcome: "skipped" })).toBeUndefined();
    expect(activityLine("consumer", { key: "whk_1", outcome: "in_progress", error: "in_progress" })).toBe(
      "whk_1: in_progress",
    );
    const deadLetters = { read: 2, marked: 0, alreadySettled: 2, missing: 0, unreadable: 0, failed: 0 };
    const sweep = { msg: "oncegate.sweeper", found: 0, requeued: 0, failed: 0, deadLetters };
    expect(activityLine("sweeper", sweep)).toBeUndefined();
    expect(activityLine("sweeper", { ...sweep, found: 1, requeued: 1 })).toBe(
      "found 1 abandoned event(s): requeued 1, failed 0",
    );
    expect(activityLine("sweeper", { ...sweep, deadLetters: { ...deadLetters, marked: 1, alreadySettled: 1 } })).toBe(
      "dead-letter queue: marked 1 DEAD, failed 0",
    );
  });
});

describe("createStackLog", () => {
  test("prefixes progress lines and writes activity lines with the time", () => {
    const out: string[] = [];
    const log = createStackLog({
      write: (text) => out.push(text),
      clock: { nowMs: () => Date.UTC(2026, 0, 1, 9, 30) },
    });
    log.progress("ready soon");
    log.lambda("consumer")({ key: "whk_1", outcome: "executed" });
    expect(out).toEqual(["oncegate: ready soon\n", "09:30:00 consumer whk_1: executed\n"]);
  });
});
