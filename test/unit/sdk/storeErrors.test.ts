import { describe, expect, test } from "@jest/globals";
import { storeErrorKind } from "../../../sdk/storeErrors.ts";

const aws = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
    ...extra,
  });

describe("storeErrorKind", () => {
  test.each([
    ["ThrottlingException", 400],
    ["ProvisionedThroughputExceededException", 400],
    ["RequestLimitExceeded", 400],
  ])("reads %s as throttled: nothing applied, retry", (name, status) => {
    expect(storeErrorKind(aws(name, status))).toBe("throttled");
  });

  test("reads a transaction cancelled only by conflicts or throttling as throttled", () => {
    const reasons = [{ Code: "None" }, { Code: "TransactionConflict" }, { Code: "ThrottlingError" }];
    expect(storeErrorKind(aws("TransactionCanceledException", 400, { CancellationReasons: reasons }))).toBe(
      "throttled",
    );
  });

  test("reads a transaction cancelled by a validation error as refused", () => {
    const reasons = [{ Code: "ValidationError" }, { Code: "None" }];
    expect(storeErrorKind(aws("TransactionCanceledException", 400, { CancellationReasons: reasons }))).toBe("refused");
  });

  test.each([
    ["TimeoutError", undefined],
    ["TransactionInProgressException", 400],
    ["InternalServerError", 500],
    ["SomethingNew", 503],
    ["Error", undefined],
  ])("reads %s as unknown: it may have been applied", (name, status) => {
    expect(storeErrorKind(aws(name, status))).toBe("unknown");
  });

  test.each([
    "ResourceNotFoundException",
    "AccessDeniedException",
    "ValidationException",
    "UnrecognizedClientException",
  ])("reads %s as refused: a configuration problem a retry will not change", (name) => {
    expect(storeErrorKind(aws(name, 400))).toBe("refused");
  });

  test("reads a thrown non-error as unknown", () => {
    expect(storeErrorKind("socket closed")).toBe("unknown");
    expect(storeErrorKind(undefined)).toBe("unknown");
  });
});
