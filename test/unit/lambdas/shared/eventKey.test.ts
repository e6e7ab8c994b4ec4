import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { InvalidEventIdError, InvalidProviderNameError } from "../../../../lambdas/shared/errors.ts";
import {
  eventPartitionKey,
  idempotencyKeyFor,
  MAX_EVENT_ID_BYTES,
  PROVIDER_NAME_PATTERN,
} from "../../../../lambdas/shared/eventKey.ts";

const DYNAMODB_PARTITION_KEY_MAX_BYTES = 2048;
const longestProvider = `p${"-".repeat(62)}`;
const bytes = (text: string) => Buffer.byteLength(text, "utf8");

// Reverses eventPartitionKey: a key that decodes back to its inputs cannot be shared by two different inputs.
function decodePartitionKey(key: string): [string, string] {
  const hash = key.indexOf("#");
  const provider = key.slice(0, hash);
  const encodedId = key.slice(hash + 1);
  const eventId = encodedId.startsWith("=")
    ? Buffer.from(encodedId.slice(1), "base64url").toString("utf8")
    : decodeURIComponent(encodedId);
  return [provider, eventId];
}

const providers = fc.stringMatching(PROVIDER_NAME_PATTERN);
// Full Unicode plus the characters the key layout and its two encodings give a meaning to.
const idUnits = fc.oneof(
  fc.constantFrom("#", "/", "%", "=", ",", ":", "\n", "€"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);
const shortIds = fc.string({ unit: idUnits, minLength: 1, maxLength: 40 });
// "€" is 3 UTF-8 bytes and 9 percent-encoded characters: about half of these ids go past the 1984 encoded
// characters where the key switches to base64url. A fixed length per id, as fast-check favours short strings.
const longIds = fc
  .integer({ min: 200, max: 341 })
  .chain((length) => fc.string({ unit: fc.constantFrom("€", "€", "€", "#"), minLength: length, maxLength: length }));
const eventIds = fc.oneof(shortIds, longIds);
// A few fixed names make pairs that share a provider, or whose provider is a prefix of another, common.
const distinctPairs = fc.uniqueArray(fc.tuple(fc.oneof(fc.constantFrom("a", "ab", "stripe"), providers), eventIds), {
  minLength: 2,
  maxLength: 30,
  comparator: (a, b) => a[0] === b[0] && a[1] === b[1],
});

describe("eventPartitionKey", () => {
  test("keeps a plain id readable after the provider and a #", () => {
    expect(eventPartitionKey("stripe", "evt_1NirD82eZvKYlo2CIvbtLWuY")).toBe("stripe#evt_1NirD82eZvKYlo2CIvbtLWuY");
  });

  test("percent-encodes # and / so the id never adds a segment to the key", () => {
    expect(eventPartitionKey("github", "a#b/c")).toBe("github#a%23b%2Fc");
  });

  test("percent-encodes unicode as UTF-8", () => {
    expect(eventPartitionKey("svix", "caf\u00e9 \u{1F680}")).toBe("svix#caf%C3%A9%20%F0%9F%9A%80");
  });

  test("escapes a leading = so a short id cannot pass for a base64url one", () => {
    expect(eventPartitionKey("p", "=YQ")).toBe("p#%3DYQ");
    expect(decodePartitionKey(eventPartitionKey("p", "=YQ"))).toEqual(["p", "=YQ"]);
  });

  test.each([
    ["1024 bytes of #", "#".repeat(1024)],
    ["256 four-byte emoji", "\u{1F680}".repeat(256)],
    ["341 three-byte characters and a /", `${"\u20ac".repeat(341)}/`],
  ])("fits the worst-case id (%s) within 2048 bytes, base64url-encoded", (_name, eventId) => {
    expect(bytes(eventId)).toBe(MAX_EVENT_ID_BYTES);
    const key = eventPartitionKey(longestProvider, eventId);
    expect(bytes(key)).toBeLessThanOrEqual(DYNAMODB_PARTITION_KEY_MAX_BYTES);
    expect(key.startsWith(`${longestProvider}#=`)).toBe(true);
    expect(decodePartitionKey(key)).toEqual([longestProvider, eventId]);
  });

  test("keeps percent-encoding up to 1984 encoded characters and switches to base64url past them", () => {
    expect(eventPartitionKey("p", "#".repeat(661))).toBe(`p#${"%23".repeat(661)}`);
    expect(eventPartitionKey("p", "#".repeat(662))).toBe(`p#=${Buffer.from("#".repeat(662)).toString("base64url")}`);
  });

  test("accepts a 1 KB ASCII id unchanged", () => {
    const eventId = "a".repeat(MAX_EVENT_ID_BYTES);
    expect(eventPartitionKey("stripe", eventId)).toBe(`stripe#${eventId}`);
  });

  test("rejects an id one byte over the maximum", () => {
    expect(() => eventPartitionKey("stripe", "a".repeat(MAX_EVENT_ID_BYTES + 1))).toThrow(InvalidEventIdError);
    expect(() => eventPartitionKey("stripe", `${"\u{1F680}".repeat(255)}\u20ac\u00e9`)).toThrow(/1025 UTF-8 bytes/);
  });

  test("rejects an empty id", () => {
    expect(() => eventPartitionKey("stripe", "")).toThrow(InvalidEventIdError);
  });

  test("rejects an id with a lone surrogate, which has no UTF-8 form", () => {
    expect(() => eventPartitionKey("stripe", "evt_\ud800")).toThrow(InvalidEventIdError);
    expect(() => eventPartitionKey("stripe", "\udc00evt")).toThrow(/lone UTF-16 surrogate/);
  });

  test.each(["", "Stripe", "-stripe", "str#ipe", "stripe\n", "str ipe", "str_ipe", "strïpe", `p${"a".repeat(63)}`])(
    "rejects the provider name %j",
    (provider) => {
      expect(() => eventPartitionKey(provider, "evt_1")).toThrow(InvalidProviderNameError);
    },
  );

  test("accepts provider names of 1 and 63 characters", () => {
    expect(eventPartitionKey("a", "1")).toBe("a#1");
    expect(eventPartitionKey(longestProvider, "1")).toBe(`${longestProvider}#1`);
  });

  test("round-trips every valid pair, keeps the provider# layout and fits DynamoDB's limit (property)", () => {
    fc.assert(
      fc.property(providers, eventIds, (provider, eventId) => {
        const key = eventPartitionKey(provider, eventId);
        expect(key.split("#")).toHaveLength(2);
        expect(key.startsWith(`${provider}#`)).toBe(true);
        expect(bytes(key)).toBeLessThanOrEqual(DYNAMODB_PARTITION_KEY_MAX_BYTES);
        expect(decodePartitionKey(key)).toEqual([provider, eventId]);
      }),
    );
  });

  test("gives distinct pairs distinct keys (property)", () => {
    fc.assert(
      fc.property(distinctPairs, (pairs) => {
        const keys = pairs.map(([provider, eventId]) => eventPartitionKey(provider, eventId));
        expect(new Set(keys).size).toBe(pairs.length);
      }),
    );
  });
});

describe("idempotencyKeyFor", () => {
  // Consumers store these keys: if one of these lines has to change, every consumer sees new events.
  test.each([
    ["stripe", "evt_1NirD82eZvKYlo2CIvbtLWuY", "whk_NCJNmr2Nvi-hPWWNnDy2GDzRQZpqIqu3kmwg1fhrmBk"],
    ["github", "a1b2c3d4-0000-4000-8000-00000000abcd", "whk__3qn6w70lzqDZ770yW6cIyAFIzegFupdGtFAfYqrgT8"],
    ["svix", "msg/2#\u00fcn\u00efc\u00f8d\u00e9 \u{1F680}", "whk_5oS2yS0lekD0-xU31Q5B-Y1ltVRsCNIoBHXHmr8NA_Q"],
  ])("gives %s %j the pinned key", (provider, eventId, expected) => {
    expect(idempotencyKeyFor(provider, eventId)).toBe(expected);
  });

  test("is 47 characters of whk_ and base64url, within the consumer SDK's limits", () => {
    const key = idempotencyKeyFor(longestProvider, "\u{1F680}".repeat(256));
    expect(key).toMatch(/^whk_[A-Za-z0-9_-]{43}$/);
    expect(key.length).toBeLessThanOrEqual(255);
  });

  test("tells apart pairs whose plain concatenation is the same", () => {
    expect(idempotencyKeyFor("strip", "eevt")).not.toBe(idempotencyKeyFor("stripe", "evt"));
  });

  test("rejects the inputs eventPartitionKey rejects", () => {
    expect(() => idempotencyKeyFor("Stripe", "evt_1")).toThrow(InvalidProviderNameError);
    expect(() => idempotencyKeyFor("stripe", "")).toThrow(InvalidEventIdError);
    expect(() => idempotencyKeyFor("stripe", "\ud800")).toThrow(InvalidEventIdError);
    expect(() => idempotencyKeyFor("stripe", "a".repeat(MAX_EVENT_ID_BYTES + 1))).toThrow(InvalidEventIdError);
  });

  test("gives distinct pairs distinct keys (property)", () => {
    fc.assert(
      fc.property(distinctPairs, (pairs) => {
        const keys = pairs.map(([provider, eventId]) => idempotencyKeyFor(provider, eventId));
        expect(new Set(keys).size).toBe(pairs.length);
      }),
    );
  });

  test("changes when a character moves across the provider/id boundary (property)", () => {
    const shorterProviders = providers.filter((provider) => provider.length < 63);
    const providerCharacters = fc.constantFrom(..."abcxyz0189-");
    fc.assert(
      fc.property(shorterProviders, providerCharacters, shortIds, (provider, moved, rest) => {
        expect(idempotencyKeyFor(`${provider}${moved}`, rest)).not.toBe(idempotencyKeyFor(provider, `${moved}${rest}`));
      }),
    );
  });
});
