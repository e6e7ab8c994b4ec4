import { describe, expect, test } from "@jest/globals";
import {
  InvalidEventIdError,
  InvalidProviderNameError,
  InvalidRetryScheduleError,
  OncegateGatewayError,
} from "../../../../lambdas/shared/errors.ts";

describe("OncegateGatewayError", () => {
  test("carries a stable code, the subclass name and the cause", () => {
    const cause = new Error("low-level");
    const error = new InvalidRetryScheduleError('entry 1 is "x"', { cause });
    expect(error).toBeInstanceOf(OncegateGatewayError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe("invalid_retry_schedule");
    expect(error.name).toBe("InvalidRetryScheduleError");
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('Invalid retry schedule: entry 1 is "x"');
  });

  test.each([
    [new InvalidProviderNameError("Stripe"), "invalid_provider_name", "InvalidProviderNameError"],
    [new InvalidEventIdError("it is empty"), "invalid_event_id", "InvalidEventIdError"],
  ])("gives %p its own code and name", (error, code, name) => {
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
  });

  test("keeps a long or non-string provider name out of the message", () => {
    expect(new InvalidProviderNameError("x".repeat(1000)).message).toBe(
      `Invalid provider name "${"x".repeat(80)}"… (1000 characters)`,
    );
    expect(new InvalidProviderNameError(42).message).toBe("Invalid provider name of type number");
  });
});
