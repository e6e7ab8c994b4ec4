import { InvalidConfigurationError } from "./errors.ts";
import type { SecretRef } from "./gatewayConfig.ts";

/**
 * Readers for one field of untrusted configuration JSON. Each takes the value and its path (for the message),
 * returns the typed value or throws {@link InvalidConfigurationError} naming the path.
 */

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

/** `parent.key`, or `parent["odd key"]` when the key would not read as a path segment. */
export function fieldPath(parent: string, key: string): string {
  if (!PLAIN_KEY.test(key)) {
    const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
    return `${parent}[${JSON.stringify(shown)}]`;
  }
  return parent === "" ? key : `${parent}.${key}`;
}

/** The value as a JSON object whose keys are all among `knownKeys` (a typo must not silently become a default). */
export function readObject(value: unknown, path: string, knownKeys?: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidConfigurationError(path || "(root)", `expected an object, got ${describeType(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (knownKeys !== undefined && !knownKeys.includes(key)) {
      throw new InvalidConfigurationError(
        fieldPath(path, key),
        `unknown field (expected one of ${knownKeys.join(", ")})`,
      );
    }
  }
  return value as Record<string, unknown>;
}

/** A non-empty string, optionally matching `pattern` (described by `expected`). */
export function readString(value: unknown, path: string, pattern?: RegExp, expected = "a non-empty string"): string {
  if (typeof value !== "string" || value === "" || (pattern !== undefined && !pattern.test(value))) {
    throw new InvalidConfigurationError(path, `expected ${expected}, got ${describeValue(value)}`);
  }
  return value;
}

/** An array with at least one entry. */
export function readNonEmptyArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidConfigurationError(path, `expected a non-empty array, got ${describeValue(value)}`);
  }
  return value;
}

/** A whole number from 1 to `max`; `fallback` when the field is absent. */
export function readPositiveInteger(value: unknown, path: string, fallback: number, max = Number.MAX_SAFE_INTEGER) {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new InvalidConfigurationError(path, `expected a whole number from 1 to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

/** A `SecretRef`: exactly `{ env }` or `{ secretArn, jsonKey? }`. */
export function readSecretRef(value: unknown, path: string): SecretRef {
  const fields = readObject(value, path, ["env", "secretArn", "jsonKey"]);
  const hasEnv = fields.env !== undefined;
  const hasArn = fields.secretArn !== undefined;
  if (hasEnv === hasArn || (hasEnv && fields.jsonKey !== undefined)) {
    throw new InvalidConfigurationError(path, "expected { env } or { secretArn }");
  }
  if (hasEnv) return { env: readString(fields.env, `${path}.env`, ENV_NAME, "an environment variable name") };
  const secretArn = readString(
    fields.secretArn,
    `${path}.secretArn`,
    SECRET_ARN,
    "a Secrets Manager ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
  );
  if (fields.jsonKey === undefined) return { secretArn };
  return { secretArn, jsonKey: readString(fields.jsonKey, `${path}.jsonKey`) };
}

/** A non-empty list of `SecretRef`s (several while a secret is being rotated). */
export function readSecretRefs(value: unknown, path: string): SecretRef[] {
  return readNonEmptyArray(value, path).map((entry, index) => readSecretRef(entry, `${path}[${index}]`));
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : typeof value;
}

// Configuration is not secret (secrets are referenced), but a value can be long: show a short excerpt.
function describeValue(value: unknown): string {
  if (typeof value === "string")
    return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return describeType(value);
}
