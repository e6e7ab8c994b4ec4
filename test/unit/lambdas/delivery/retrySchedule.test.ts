import { describe, expect, test } from "@jest/globals";
import {
  assertRetrySchedule,
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  MAX_RETRY_DELAY_SECONDS,
  maxAttempts,
  parseRetrySchedule,
} from "../../../../lambdas/delivery/retrySchedule.ts";
import { InvalidRetryScheduleError } from "../../../../lambdas/shared/errors.ts";

describe("DEFAULT_RETRY_SCHEDULE_SECONDS", () => {
  test("makes 8 attempts over about a day", () => {
    expect(maxAttempts(DEFAULT_RETRY_SCHEDULE_SECONDS)).toBe(8);
    const totalHours = DEFAULT_RETRY_SCHEDULE_SECONDS.reduce((sum, seconds) => sum + seconds, 0) / 3600;
    expect(totalHours).toBeGreaterThan(24);
    expect(totalHours).toBeLessThan(30);
  });

  test("is frozen so no caller can change it for every other", () => {
    expect(Object.isFrozen(DEFAULT_RETRY_SCHEDULE_SECONDS)).toBe(true);
  });

  test("is a valid schedule", () => {
    expect(() => assertRetrySchedule(DEFAULT_RETRY_SCHEDULE_SECONDS)).not.toThrow();
  });
});

describe("parseRetrySchedule", () => {
  test("parses comma-separated seconds", () => {
    expect(parseRetrySchedule("1,2,4,8")).toEqual([1, 2, 4, 8]);
  });

  test("tolerates whitespace around entries", () => {
    expect(parseRetrySchedule(" 1 ,\t2,4 \n")).toEqual([1, 2, 4]);
  });

  test("parses a single entry and the 12-hour maximum", () => {
    expect(parseRetrySchedule("43200")).toEqual([MAX_RETRY_DELAY_SECONDS]);
  });

  test("round-trips the default schedule", () => {
    expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE_SECONDS.join(","))).toEqual([...DEFAULT_RETRY_SCHEDULE_SECONDS]);
  });

  test.each([
    ["1,abc,4", 'entry 2 is "abc"'],
    ["1,,4", 'entry 2 is ""'],
    ["1,2,", 'entry 3 is ""'],
    ["0,5", "entry 1 is 0"],
    ["5,-1", 'entry 2 is "-1"'],
    ["1.5", 'entry 1 is "1.5"'],
    ["1e3", 'entry 1 is "1e3"'],
    ["0x10", 'entry 1 is "0x10"'],
    ["+5", 'entry 1 is "+5"'],
    ["Infinity", 'entry 1 is "Infinity"'],
    ["5,43201", "entry 2 is 43201"],
    ["1 2", 'entry 1 is "1 2"'],
    ["1;2", 'entry 1 is "1;2"'],
  ])("rejects %j, naming %s", (text, named) => {
    expect(() => parseRetrySchedule(text)).toThrow(InvalidRetryScheduleError);
    expect(() => parseRetrySchedule(text)).toThrow(named);
  });

  test.each(["", "   "])("rejects the empty schedule %j", (text) => {
    expect(() => parseRetrySchedule(text)).toThrow(/it is empty/);
  });
});

describe("assertRetrySchedule", () => {
  test.each([[[5, -5]], [[1.5]], [[Number.NaN]], [[43_201]], [[0]]])("rejects %j", (schedule) => {
    expect(() => assertRetrySchedule(schedule)).toThrow(InvalidRetryScheduleError);
  });

  test("accepts an empty schedule, which means no retries", () => {
    expect(() => assertRetrySchedule([])).not.toThrow();
    expect(maxAttempts([])).toBe(1);
  });
});

describe("maxAttempts", () => {
  test("is one more than the number of delays", () => {
    expect(maxAttempts([1, 2, 4])).toBe(4);
  });
});
