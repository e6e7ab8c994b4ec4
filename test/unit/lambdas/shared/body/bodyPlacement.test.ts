import { describe, expect, test } from "@jest/globals";
import {
  bodyPlacement,
  DEFAULT_INLINE_BODY_LIMIT_BYTES,
  MAX_INLINE_BODY_LIMIT_BYTES,
} from "../../../../../lambdas/shared/body/bodyPlacement.ts";

describe("bodyPlacement", () => {
  test("keeps a body inline up to the limit, inclusive, and sends a larger one to S3", () => {
    expect(bodyPlacement(0)).toBe("inline");
    expect(bodyPlacement(DEFAULT_INLINE_BODY_LIMIT_BYTES)).toBe("inline");
    expect(bodyPlacement(DEFAULT_INLINE_BODY_LIMIT_BYTES + 1)).toBe("s3");
    expect(bodyPlacement(5 * 1024 * 1024)).toBe("s3");
  });

  test("uses the limit it is given: 0 sends every non-empty body to S3", () => {
    expect(bodyPlacement(1, 0)).toBe("s3");
    expect(bodyPlacement(0, 0)).toBe("inline");
    expect(bodyPlacement(100_000, MAX_INLINE_BODY_LIMIT_BYTES)).toBe("inline");
  });

  test("rejects a limit past what a DynamoDB item can hold, and sizes that are not whole bytes", () => {
    expect(() => bodyPlacement(1, MAX_INLINE_BODY_LIMIT_BYTES + 1)).toThrow(/inline body limit must be 0 to 358400/);
    expect(() => bodyPlacement(1, -1)).toThrow(RangeError);
    expect(() => bodyPlacement(1.5)).toThrow(/whole number of bytes, got 1.5/);
    expect(() => bodyPlacement(Number.NaN)).toThrow(RangeError);
  });
});
