import { describe, expect, test } from "@jest/globals";
import { readBodyBucket } from "../../../../../lambdas/shared/body/bodyEnvironment.ts";

describe("readBodyBucket", () => {
  test("reads the bucket's name from ONCEGATE_BODY_BUCKET", () => {
    expect(readBodyBucket({ ONCEGATE_BODY_BUCKET: "oncegate-bodies" })).toBe("oncegate-bodies");
  });

  test("rejects an unset or empty variable, naming it", () => {
    for (const env of [{}, { ONCEGATE_BODY_BUCKET: "" }]) {
      expect(() => readBodyBucket(env)).toThrow("ONCEGATE_BODY_BUCKET: environment variable is not set");
    }
  });
});
