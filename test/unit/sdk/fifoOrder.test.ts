import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { claimLanes, reportedWithLaterGroupRecords } from "../../../sdk/fifoOrder.ts";

const record = (messageId: string, group?: string) => ({
  messageId,
  body: "{}",
  ...(group === undefined ? {} : { attributes: { MessageGroupId: group } }),
});

describe("reportedWithLaterGroupRecords", () => {
  test("adds every later record of a reported record's group, and nothing of other groups", () => {
    const records = [record("a1", "A"), record("b1", "B"), record("a2", "A"), record("b2", "B"), record("a3", "A")];
    expect(reportedWithLaterGroupRecords(records, new Set(["a2"]))).toEqual(["a2", "a3"]);
  });

  test("reports only the failed records of a standard queue", () => {
    const records = [record("1"), record("2"), record("3")];
    expect(reportedWithLaterGroupRecords(records, new Set(["2"]))).toEqual(["2"]);
  });

  test("property: within a group, the reported records are a suffix of the group's records", () => {
    const arbitrary = fc.array(fc.record({ group: fc.constantFrom("A", "B", "C"), reported: fc.boolean() }), {
      maxLength: 20,
    });
    fc.assert(
      fc.property(arbitrary, (entries) => {
        const records = entries.map((e, i) => record(String(i), e.group));
        const reported = new Set(entries.flatMap((e, i) => (e.reported ? [String(i)] : [])));
        const out = new Set(reportedWithLaterGroupRecords(records, reported));
        for (const id of reported) expect(out.has(id)).toBe(true);
        for (const group of ["A", "B", "C"]) {
          const flags = records.filter((r) => r.attributes?.MessageGroupId === group).map((r) => out.has(r.messageId));
          const first = flags.indexOf(true);
          if (first >= 0) expect(flags.slice(first).every(Boolean)).toBe(true);
        }
      }),
    );
  });
});

describe("claimLanes", () => {
  test("puts a FIFO group's records in one lane, in order, and each standard record alone", () => {
    const lanes = claimLanes([record("a1", "A"), record("x"), record("a2", "A"), record("y")]);
    expect(lanes.map((lane) => lane.map((r) => r.messageId))).toEqual([["a1", "a2"], ["x"], ["y"]]);
  });
});
