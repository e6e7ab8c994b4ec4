import { DEFAULT_TOLERANCE_SECONDS } from "../intake/signatures/timestamps.ts";
import { fieldPath, readObject, readPositiveInteger, readSecretRefs, readString } from "./configFields.ts";
import { InvalidConfigurationError } from "./errors.ts";
import type { ProviderScheme, SecretRef } from "./gatewayConfig.ts";

const SCHEMES = ["stripe", "github", "shopify", "standard", "keygen", "generic"];
// RFC 9110 token characters: what a header name may be made of.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const JSON_PATH = /^[^.]+(?:\.[^.]+)*$/;
// A signed timestamp may be at most a day away: a larger window makes captured requests replayable for longer.
const MAX_TOLERANCE_SECONDS = 86_400;
// Longer than any provider retries (Stripe: 3 days), and within the events' retention.
const MAX_REPLAY_WINDOW_SECONDS = 30 * 86_400;

/**
 * Validates one provider's scheme, with the verifiers' default tolerance written in, and its optional
 * `replayWindowSeconds` (any scheme; it matters for those whose id is an unsigned header).
 * @throws {@link InvalidConfigurationError} naming the field, e.g. `providers.stripe.secrets[0]`
 */
export function parseProviderScheme(value: unknown, path: string): ProviderScheme {
  const { replayWindowSeconds, ...fields } = readObject(value, path);
  const scheme = parseScheme(fields, path);
  if (replayWindowSeconds === undefined) return scheme;
  const window = readPositiveInteger(replayWindowSeconds, `${path}.replayWindowSeconds`, 0, MAX_REPLAY_WINDOW_SECONDS);
  return { ...scheme, replayWindowSeconds: window };
}

function parseScheme(value: Record<string, unknown>, path: string): ProviderScheme {
  const { scheme } = value;
  switch (scheme) {
    case "stripe":
    case "standard": {
      const fields = readObject(value, path, ["scheme", "secrets", "toleranceSeconds"]);
      const secrets = readSecretRefs(fields.secrets, `${path}.secrets`);
      return { scheme, secrets, toleranceSeconds: tolerance(fields, path) };
    }
    case "github":
    case "shopify": {
      const fields = readObject(value, path, ["scheme", "secrets"]);
      return { scheme, secrets: readSecretRefs(fields.secrets, `${path}.secrets`) };
    }
    case "keygen":
      return parseKeygen(value, path);
    case "generic":
      return parseGeneric(value, path);
    default:
      throw new InvalidConfigurationError(fieldPath(path, "scheme"), `expected one of ${SCHEMES.join(", ")}`);
  }
}

function tolerance(fields: Record<string, unknown>, path: string): number {
  return readPositiveInteger(
    fields.toleranceSeconds,
    `${path}.toleranceSeconds`,
    DEFAULT_TOLERANCE_SECONDS,
    MAX_TOLERANCE_SECONDS,
  );
}

function parseKeygen(value: unknown, path: string): ProviderScheme {
  const fields = readObject(value, path, ["scheme", "publicKeys", "publicUrl", "toleranceSeconds"]);
  const publicKeys = readSecretRefs(fields.publicKeys, `${path}.publicKeys`);
  const toleranceSeconds = tolerance(fields, path);
  if (fields.publicUrl === undefined) return { scheme: "keygen", publicKeys, toleranceSeconds };
  const publicUrl = fields.publicUrl;
  // Keygen signs the host and path of this URL: a relative or non-web URL can never match a signature.
  if (typeof publicUrl !== "string" || !URL.canParse(publicUrl) || !/^https?:$/.test(new URL(publicUrl).protocol)) {
    throw new InvalidConfigurationError(`${path}.publicUrl`, "expected an absolute http(s) URL");
  }
  return { scheme: "keygen", publicKeys, publicUrl, toleranceSeconds };
}

function parseGeneric(value: unknown, path: string): ProviderScheme {
  const fields = readObject(value, path, ["scheme", "eventId", "eventType", "signature"]);
  return {
    scheme: "generic",
    eventId: parseEventIdSource(fields.eventId, `${path}.eventId`),
    ...(fields.eventType !== undefined && { eventType: parseEventTypeSource(fields.eventType, `${path}.eventType`) }),
    signature: parseSignature(fields.signature, `${path}.signature`),
  };
}

function parseEventTypeSource(value: unknown, path: string): { header: string } | { jsonPath: string } {
  const source = parseEventIdSource(value, path);
  if (!("jsonPath" in source) && source.header === undefined) {
    throw new InvalidConfigurationError(path, "expected { header } or { jsonPath }");
  }
  return source as { header: string } | { jsonPath: string };
}

function parseEventIdSource(value: unknown, path: string): { header?: string } | { jsonPath: string } {
  const fields = readObject(value, path, ["header", "jsonPath"]);
  if (fields.header !== undefined && fields.jsonPath !== undefined) {
    throw new InvalidConfigurationError(path, "expected { header } or { jsonPath }, not both");
  }
  if (fields.jsonPath !== undefined) {
    return { jsonPath: readString(fields.jsonPath, `${path}.jsonPath`, JSON_PATH, "a dot path such as data.id") };
  }
  if (fields.header === undefined) return {};
  return { header: readString(fields.header, `${path}.header`, HEADER_NAME, "a header name").toLowerCase() };
}

function parseSignature(value: unknown, path: string): { header: string; secrets: SecretRef[] } | "none" {
  // Only the exact string opts out of verification: "None", "" or a missing field must never mean "unsigned".
  if (value === "none") return "none";
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidConfigurationError(path, 'expected { header, secrets } or exactly "none"');
  }
  const fields = readObject(value, path, ["header", "secrets"]);
  return {
    header: readString(fields.header, `${path}.header`, HEADER_NAME, "a header name").toLowerCase(),
    secrets: readSecretRefs(fields.secrets, `${path}.secrets`),
  };
}
