import { describe, expect, test } from "@jest/globals";
import { eventPartitionKey, idempotencyKeyFor } from "../../../lambdas/shared/eventKey.ts";
import { durationMs } from "../../../ops/cli/parseValues.ts";
import { eventRefOf, idempotencyKeyOfPk, pkOfEventArgument } from "../../../ops/deadLetters/eventRef.ts";
import { keyView, ownerOf, releaseRefusal, type StoredRecord } from "../../../ops/keys/keyRecord.ts";
import { recordIdOf } from "../../../ops/keys/keyRef.ts";
import { auditItemId } from "../../../ops/keys/keyStore.ts";
import { recordId } from "../../../sdk/idempotencyKey.ts";

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const ref = { table: "records", scope: "orders-fn", key: "whk_abc" };
const record = (fields: Partial<StoredRecord>): StoredRecord => ({
  id: "orders-fn#whk_abc",
  status: "IN_PROGRESS",
  ownerToken: "secret-token",
  fingerprint: "f",
  startedAtMs: NOW - 3_600_000,
  expiresAt: NOW / 1000 + 3600,
  ...fields,
});
const rules = { force: false, minAgeMs: 15 * 60_000, nowMs: NOW };
const refusalOf = (fields: Partial<StoredRecord>, extra = {}) => {
  const stored = record(fields);
  return releaseRefusal(keyView(ref, stored.id, stored, [], NOW), stored, { ...rules, ...extra })?.code;
};

describe("keys release rules", () => {
  test("releases FAILED, and IN_PROGRESS older than --min-age and past its lease", () => {
    expect(refusalOf({ status: "FAILED" })).toBeUndefined();
    expect(refusalOf({ status: "IN_PROGRESS" })).toBeUndefined();
    expect(refusalOf({ leaseExpiresAtMs: NOW - 1 })).toBeUndefined();
  });

  test("refuses COMPLETED, an IN_PROGRESS claim within its lease or younger than --min-age, unless forced", () => {
    expect(refusalOf({ status: "COMPLETED" })).toBe("key_completed");
    expect(refusalOf({ leaseExpiresAtMs: NOW + 60_000 })).toBe("key_leased");
    expect(refusalOf({ startedAtMs: NOW - 60_000 })).toBe("key_too_young");
    expect(refusalOf({ startedAtMs: NOW - 60_000 }, { minAgeMs: 30_000 })).toBeUndefined();
    for (const fields of [{ status: "COMPLETED" as const }, { leaseExpiresAtMs: NOW + 60_000 }, { startedAtMs: NOW }]) {
      expect(refusalOf(fields, { force: true })).toBeUndefined();
    }
  });

  test("shows the owner as a hash of the token, never the token", () => {
    const view = keyView(ref, "orders-fn#whk_abc", record({}), [], NOW);
    expect(view.owner).toBe(ownerOf("secret-token"));
    expect(view.owner).toMatch(/^claim-[0-9a-f]{8}$/);
    expect(JSON.stringify(view)).not.toContain("secret-token");
  });

  test("derives the record id as the SDK does, and refuses a key the SDK would refuse", () => {
    expect(recordIdOf({ ...ref, scope: "a#b", key: " k " }).recordId).toBe(recordId("a#b", "k"));
    expect(() => recordIdOf({ ...ref, key: "   " })).toThrow(expect.objectContaining({ code: "invalid_key" }));
    expect(() => recordIdOf({ ...ref, key: "x".repeat(256) })).toThrow(expect.objectContaining({ kind: "usage" }));
    expect(() => recordIdOf({ ...ref, key: "a\u0000b" })).toThrow(expect.objectContaining({ code: "invalid_key" }));
  });

  test("keeps the audit item apart from every record: a record id never starts with #", () => {
    expect(auditItemId(recordId("orders", "k"))).toBe("#audit#orders#k");
    expect(recordId("#audit", "x").startsWith("#")).toBe(false);
  });
});

describe("event references", () => {
  test("reads provider and event id back from an events-table key, both encodings", () => {
    for (const eventId of ["evt_1", "a/b#c d", "é".repeat(400)]) {
      const pk = eventPartitionKey("stripe", eventId);
      expect(eventRefOf(pk)).toEqual({ provider: "stripe", eventId });
      expect(idempotencyKeyOfPk(pk)).toBe(idempotencyKeyFor("stripe", eventId));
    }
    expect(eventRefOf("no-separator")).toBeUndefined();
    expect(eventRefOf("stripe#%E0%A4%A")).toBeUndefined();
  });

  test("parses --event provider/eventId, the id keeping its slashes, and refuses what names no event", () => {
    expect(pkOfEventArgument("github/123/456")).toBe(eventPartitionKey("github", "123/456"));
    expect(() => pkOfEventArgument("evt_without_provider")).toThrow(expect.objectContaining({ code: "invalid_event" }));
    expect(() => pkOfEventArgument("Stripe/evt")).toThrow(expect.objectContaining({ kind: "usage" }));
  });
});

describe("--min-age", () => {
  test("takes 90s, 15m, 2h, 1d and 0; refuses a bare number or a negative one", () => {
    expect([durationMs("90s"), durationMs("15m"), durationMs("2h"), durationMs("1d"), durationMs("0")]).toEqual([
      90_000, 900_000, 7_200_000, 86_400_000, 0,
    ]);
    expect(() => durationMs("15")).toThrow(/duration/);
    expect(() => durationMs("-1m")).toThrow(/duration/);
  });
});
