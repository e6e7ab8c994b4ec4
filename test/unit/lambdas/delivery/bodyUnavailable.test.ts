import { describe, expect, test } from "@jest/globals";
import { isLastingBodyFailure } from "../../../../lambdas/delivery/bodyUnavailable.ts";
import { BodyIntegrityError } from "../../../../lambdas/shared/body/verifiedBody.ts";

describe("isLastingBodyFailure", () => {
  test.each([
    ["a damaged object", new BodyIntegrityError("body does not match its sha256")],
    ["a missing key", Object.assign(new Error("gone"), { name: "NoSuchKey" })],
    ["a denied read", Object.assign(new Error("denied"), { name: "AccessDenied" })],
    ["a bare 404", Object.assign(new Error("?"), { name: "Unknown", $metadata: { httpStatusCode: 404 } })],
  ])("calls %s lasting", (_case, error) => {
    expect(isLastingBodyFailure(error)).toBe(true);
  });

  test.each([
    ["a timeout", Object.assign(new Error("slow"), { name: "TimeoutError" })],
    ["a 503 SlowDown", Object.assign(new Error("slow down"), { name: "SlowDown", $metadata: { httpStatusCode: 503 } })],
    ["a reset socket", Object.assign(new Error("reset"), { code: "ECONNRESET" })],
    ["nothing", undefined],
  ])("calls %s passing", (_case, error) => {
    expect(isLastingBodyFailure(error)).toBe(false);
  });
});
