import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, test } from "@jest/globals";
import {
  CRASH_POINTS,
  consumerCrashPoint,
  crashAlreadyFired,
  crashMarkerPath,
  crashPointFromEnvironment,
  crashSwitch,
} from "../../../local/crashPoints.ts";

const dataDir = mkdtempSync(join(tmpdir(), "oncegate-crash-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("crashPointFromEnvironment", () => {
  test.each(CRASH_POINTS)("arms %s by name", (point) => {
    expect(crashPointFromEnvironment({ ONCEGATE_CRASH_AT: point })).toBe(point);
  });

  test("takes CRASH_ONCE=true, the original demo's switch, as consumer:after-effect", () => {
    expect(crashPointFromEnvironment({ CRASH_ONCE: "true" })).toBe("consumer:after-effect");
    expect(crashPointFromEnvironment({ CRASH_ONCE: "false" })).toBeUndefined();
    expect(crashPointFromEnvironment({})).toBeUndefined();
  });

  test("rejects an unknown point, listing the valid ones", () => {
    expect(() => crashPointFromEnvironment({ ONCEGATE_CRASH_AT: "consumer:before-lunch" })).toThrow(
      `ONCEGATE_CRASH_AT: unknown crash point "consumer:before-lunch"; valid points: ${CRASH_POINTS.join(", ")}`,
    );
  });
});

describe("consumerCrashPoint", () => {
  test("arms the consumer's two points, and CRASH_ONCE", () => {
    expect(consumerCrashPoint({ ONCEGATE_CRASH_AT: "consumer:after-effect" })).toBe("consumer:after-effect");
    expect(consumerCrashPoint({ ONCEGATE_CRASH_AT: "consumer:after-commit" })).toBe("consumer:after-commit");
    expect(consumerCrashPoint({ CRASH_ONCE: "true" })).toBe("consumer:after-effect");
    expect(consumerCrashPoint({})).toBeUndefined();
  });

  test.each(CRASH_POINTS.filter((point) => !point.startsWith("consumer:")))(
    "refuses the gateway's %s, which a consumer process never reaches",
    (point) => {
      expect(() => consumerCrashPoint({ ONCEGATE_CRASH_AT: point })).toThrow(
        `ONCEGATE_CRASH_AT: ${point} is the gateway's (arm it on npm start); the consumer reaches consumer:after-effect and consumer:after-commit`,
      );
    },
  );
});

describe("crashSwitch", () => {
  test("does nothing at a point that is not armed, or when none is", () => {
    expect(() => crashSwitch("intake:after-put", dataDir)("intake:after-enqueue")).not.toThrow();
    expect(() => crashSwitch(undefined, dataDir)("intake:after-put")).not.toThrow();
    expect(crashAlreadyFired(dataDir, "intake:after-put")).toBe(false);
  });

  test("never fires again once its marker is in the data directory", () => {
    const marker = crashMarkerPath(dataDir, "delivery:after-post");
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, "fired\n");

    expect(crashAlreadyFired(dataDir, "delivery:after-post")).toBe(true);
    // Were it to fire, this process would be killed: the test finishing is the assertion.
    crashSwitch("delivery:after-post", dataDir)("delivery:after-post");
  });
});
