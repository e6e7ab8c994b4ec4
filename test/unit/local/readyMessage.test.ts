import { describe, expect, test } from "@jest/globals";
import { LOCAL_DEFAULTS } from "../../../local/localEnvironment.ts";
import { chaosCommand } from "../../../local/readyMessage.ts";

describe("the ready banner's chaos hint", () => {
  test("is the plain command on the default port", () => {
    expect(chaosCommand(`http://127.0.0.1:${LOCAL_DEFAULTS.port}`)).toBe("npm run chaos -- evt_test_1");
  });

  test("names the stack's URL on any other port, so the hint targets this stack", () => {
    expect(chaosCommand("http://127.0.0.1:4100")).toBe("npm run chaos -- evt_test_1 --url http://127.0.0.1:4100");
  });
});
