import { describe, expect, test } from "@jest/globals";
import {
  EnqueueFailedError,
  errorCodeOf,
  InvalidConfigurationError,
  InvalidEventIdError,
  InvalidProviderNameError,
  InvalidRetryScheduleError,
  OncegateGatewayError,
  SecretUnavailableError,
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

describe("gateway errors added for the intake", () => {
  test("InvalidConfigurationError starts its message with the field path", () => {
    const error = new InvalidConfigurationError("providers.stripe.secrets[0]", "expected { env } or { secretArn }");
    expect(error.code).toBe("invalid_configuration");
    expect(error.field).toBe("providers.stripe.secrets[0]");
    expect(error.message).toBe("providers.stripe.secrets[0]: expected { env } or { secretArn }");
  });

  test.each([
    [new SecretUnavailableError("x"), "secret_unavailable"],
    [new EnqueueFailedError("x"), "enqueue_failed"],
  ])("%p has its own stable code", (error, code) => {
    expect(error).toBeInstanceOf(OncegateGatewayError);
    expect(error.code).toBe(code);
  });

  test("errorCodeOf gives our code, else the error's name", () => {
    expect(errorCodeOf(new EnqueueFailedError("x"))).toBe("enqueue_failed");
    expect(errorCodeOf(Object.assign(new Error("x"), { name: "ThrottlingException" }))).toBe("ThrottlingException");
    expect(errorCodeOf(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe("ECONNREFUSED");
    // Only a system code of Node's shape: anything else an error carries stays out of the logs.
    expect(errorCodeOf(Object.assign(new Error("x"), { code: "secret value" }))).toBe("Error");
    expect(errorCodeOf("a string")).toBe("Error");
    expect(errorCodeOf(null)).toBe("Error");
  });
});
