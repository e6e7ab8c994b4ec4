import { describe, expect, test } from "@jest/globals";
import { MAX_SETTLE_TRIES, withSettleRetries } from "../../../sdk/retryBudget.ts";

const throttling = Object.assign(new Error("slow down"), {
  name: "ThrottlingException",
  $metadata: { httpStatusCode: 400 },
});
const timeout = Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
const denied = Object.assign(new Error("no"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } });
const noSleep = async () => {};

function failing(errors: unknown[], value = "done") {
  let calls = 0;
  return {
    attempt: async () => {
      const error = errors[calls++];
      if (error) throw error;
      return value;
    },
    calls: () => calls,
  };
}

describe("withSettleRetries", () => {
  test("retries throttling and an unknown outcome until the write goes through", async () => {
    const call = failing([throttling, timeout]);
    const result = await withSettleRetries({ timeLeftMs: () => 10_000, sleep: noSleep }, call.attempt);
    expect(result).toEqual({ ok: true, value: "done" });
    expect(call.calls()).toBe(3);
  });

  test("stops at once on a refusal a retry will not change", async () => {
    const call = failing([denied]);
    const result = await withSettleRetries({ timeLeftMs: () => 10_000, sleep: noSleep }, call.attempt);
    expect(result).toMatchObject({ ok: false, kind: "refused", tries: 1 });
  });

  test(`gives up after ${MAX_SETTLE_TRIES} tries, remembering that an earlier one had an unknown outcome`, async () => {
    const call = failing([timeout, throttling, throttling, throttling, throttling, throttling]);
    const result = await withSettleRetries({ timeLeftMs: () => 10_000, sleep: noSleep }, call.attempt);
    expect(result).toMatchObject({ ok: false, kind: "throttled", tries: MAX_SETTLE_TRIES, sawUnknown: true });
  });

  test("does not start a retry the time left cannot cover", async () => {
    const call = failing([throttling, throttling]);
    const result = await withSettleRetries({ timeLeftMs: () => 100, sleep: noSleep, random: () => 0 }, call.attempt);
    expect(result).toMatchObject({ ok: false, tries: 1 });
    expect(call.calls()).toBe(1);
  });
});
