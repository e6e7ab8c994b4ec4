/**
 * The random parts of a provider payload, drawn from a seeded generator: identifiers as the providers mint them
 * (base62, hex SHAs, 13-digit numbers), which barely compress, and prose from a small vocabulary, which does. The
 * compression figures depend on that mix, so it is kept close to real payloads rather than padded with "x".
 */
import { pick, randomInt } from "../../local/seededRandom.ts";

export type Random = () => number;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX = "0123456789abcdef";

const WORDS = [
  "add",
  "fix",
  "update",
  "remove",
  "refactor",
  "the",
  "a",
  "for",
  "in",
  "of",
  "to",
  "when",
  "with",
  "and",
  "on",
  "handler",
  "retry",
  "queue",
  "cache",
  "config",
  "test",
  "tests",
  "docs",
  "readme",
  "build",
  "release",
  "bump",
  "dependency",
  "timeout",
  "error",
  "logging",
  "metrics",
  "schema",
  "migration",
  "endpoint",
  "client",
  "server",
  "parser",
  "invoice",
  "order",
  "customer",
  "payment",
  "webhook",
  "signature",
  "header",
  "body",
  "stream",
  "race",
  "condition",
  "null",
  "pointer",
  "check",
  "edge",
  "case",
  "flaky",
  "slow",
  "query",
  "index",
  "table",
  "page",
] as const;

const FIRST_NAMES = ["Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Alan", "Frances", "Dennis", "Radia"];
const LAST_NAMES = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Turing", "Allen", "Perlman"];

/** `length` random base62 characters, as in Stripe's ids (`in_1PqR…`). */
export function base62(random: Random, length: number): string {
  let text = "";
  for (let index = 0; index < length; index++) text += BASE62[Math.floor(random() * 62)];
  return text;
}

/** `length` random lowercase hex digits (a git SHA is 40). */
export function hex(random: Random, length: number): string {
  let text = "";
  for (let index = 0; index < length; index++) text += HEX[Math.floor(random() * 16)];
  return text;
}

/** A whole number of `digits` digits (Shopify's ids are 13). */
export function digits(random: Random, count: number): number {
  return randomInt(random, 10 ** (count - 1), 10 ** count - 1);
}

/** `count` words of the vocabulary, space-separated. */
export function words(random: Random, count: number): string {
  return Array.from({ length: count }, () => pick(random, WORDS)).join(" ");
}

/** A sentence-cased line of `min`–`max` words. */
export function sentence(random: Random, min: number, max: number): string {
  const text = words(random, randomInt(random, min, max));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A person: name, e-mail and a login derived from them. */
export function person(random: Random): { name: string; email: string; login: string } {
  const first = pick(random, FIRST_NAMES);
  const last = pick(random, LAST_NAMES);
  const login = `${first.toLowerCase()}${last.slice(0, 3).toLowerCase()}${randomInt(random, 1, 99)}`;
  return { name: `${first} ${last}`, email: `${login}@example.com`, login };
}

/** An ISO 8601 time `offsetSec` after a fixed start, as GitHub and Shopify write them. */
export function isoTime(offsetSec: number, zone = "Z"): string {
  return new Date(Date.UTC(2026, 10, 3, 9, 0, 0) + offsetSec * 1000).toISOString().replace(/\.\d{3}Z$/, zone);
}

/** A source file path such as `lambdas/delivery/retryPolicy.ts`. */
export function filePath(random: Random): string {
  const folders = ["src", "lib", "test", "docs", "lambdas/delivery", "lambdas/intake", "infra/constructs", "sdk"];
  return `${pick(random, folders)}/${pick(random, WORDS)}${pick(random, ["", "Store", "Policy", "Handler"])}.ts`;
}
