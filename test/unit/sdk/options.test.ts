import { describe, expect, test } from "@jest/globals";
import { ConfigurationError } from "../../../sdk/errors.ts";
import { assertLeaseCoversTimeout, resolveOptions } from "../../../sdk/options.ts";

describe("resolveOptions", () => {
  test("applies the documented defaults", () => {
    const resolved = resolveOptions({ tableName: "t" });
    expect(resolved).toMatchObject({
      onError: "fail",
      retentionSeconds: 604_800,
      maxStoredResponseBytes: 65_536,
      inProgressLeaseSeconds: undefined,
      inProgressRetryAfterSeconds: 5,
    });
  });

  test.each([
    [{ tableName: "" }, "tableName"],
    [{ tableName: "t", onError: "retry" }, "onError"],
    [{ tableName: "t", retentionSeconds: 0 }, "retentionSeconds"],
    [{ tableName: "t", retentionSeconds: 1.5 }, "retentionSeconds"],
    [{ tableName: "t", maxStoredResponseBytes: 500_000 }, "maxStoredResponseBytes"],
    [{ tableName: "t", inProgressLeaseSeconds: -1 }, "inProgressLeaseSeconds"],
    [{ tableName: "t", retentionSeconds: 60, inProgressLeaseSeconds: 120 }, "inProgressLeaseSeconds"],
    [{ tableName: "t", scope: "" }, "scope"],
  ])("rejects %j naming the field %s", (options, field) => {
    expect(() => resolveOptions(options as never)).toThrow(ConfigurationError);
    expect(() => resolveOptions(options as never)).toThrow(`\`${field}\``);
  });
});

describe("timeoutSeconds and the lease outside Lambda", () => {
  test("a deadline, and a lease covering it and the completion's 10 s of retries, are taken", () => {
    const resolved = resolveOptions({ tableName: "t", timeoutSeconds: 20, inProgressLeaseSeconds: 30 }, "server");
    expect(resolved).toMatchObject({ timeoutSeconds: 20, inProgressLeaseSeconds: 30 });
    expect(resolveOptions({ tableName: "t" }, "server").timeoutSeconds).toBeUndefined();
  });

  test.each([
    [{ inProgressLeaseSeconds: 30 }, "`inProgressLeaseSeconds`: needs timeoutSeconds outside Lambda"],
    [
      { timeoutSeconds: 25, inProgressLeaseSeconds: 30 },
      "`inProgressLeaseSeconds`: 30s is shorter than timeoutSeconds + 10s for the completion's retries (35s)",
    ],
    [
      { timeoutSeconds: 55, retentionSeconds: 60 },
      "`retentionSeconds`: 60s is shorter than timeoutSeconds + 10s (65s)",
    ],
    [{ timeoutSeconds: 0 }, "`timeoutSeconds`: must be a whole number from 1"],
    [{ timeoutSeconds: 1.5 }, "`timeoutSeconds`: must be a whole number from 1"],
  ])("outside Lambda, refuses %j", (options, message) => {
    expect(() => resolveOptions({ tableName: "t", ...options }, "server")).toThrow(message);
  });

  test("on Lambda, refuses timeoutSeconds: the function's timeout is the deadline", () => {
    expect(() => resolveOptions({ tableName: "t", timeoutSeconds: 10 })).toThrow(
      "`timeoutSeconds`: is for servers and makeIdempotent",
    );
  });
});

describe("assertLeaseCoversTimeout", () => {
  test("rejects a lease shorter than the function's remaining time", () => {
    expect(() => assertLeaseCoversTimeout(10, 30_000)).toThrow(/inProgressLeaseSeconds/);
  });

  test("accepts a lease at least as long, or no lease", () => {
    expect(() => assertLeaseCoversTimeout(30, 30_000)).not.toThrow();
    expect(() => assertLeaseCoversTimeout(undefined, 30_000)).not.toThrow();
  });
});
