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

describe("assertLeaseCoversTimeout", () => {
  test("rejects a lease shorter than the function's remaining time", () => {
    expect(() => assertLeaseCoversTimeout(10, 30_000)).toThrow(/inProgressLeaseSeconds/);
  });

  test("accepts a lease at least as long, or no lease", () => {
    expect(() => assertLeaseCoversTimeout(30, 30_000)).not.toThrow();
    expect(() => assertLeaseCoversTimeout(undefined, 30_000)).not.toThrow();
  });
});
