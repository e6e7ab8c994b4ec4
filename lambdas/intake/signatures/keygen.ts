import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import { constantTimeEqual } from "./constantTimeEqual.ts";
import { parseJsonBody, readJsonPath } from "./jsonBody.ts";
import {
  buildKeygenSigningString,
  type KeygenSignatureParameters,
  parseKeygenSignatureHeader,
} from "./keygenSignatureHeader.ts";
import { readHeader } from "./readHeader.ts";
import { isWithinTolerance } from "./timestamps.ts";
import type { SignedRequest, VerifyResult } from "./types.ts";
import { acceptEventId, reject } from "./verifyResults.ts";

/** Keygen webhook settings: the account's Ed25519 public keys and the public URL Keygen calls. */
export interface KeygenConfig {
  /** Ed25519 public keys as 64 hex characters (several while a key is being rotated). */
  publicKeysHex: readonly string[];
  /** The URL configured in Keygen, e.g. `https://hooks.example.com/webhooks/keygen`: Keygen signs its host and path. */
  publicUrl?: string;
  /** Maximum distance of the `date` header from now, in seconds (default 300). */
  toleranceSeconds?: number;
}

/** Input of {@link verifyKeygenSignature}. */
export interface KeygenSignatureCheck {
  method: string;
  path: string;
  host: string;
  /** Lower-cased headers, including `keygen-signature` and every header it signs. */
  headers: Record<string, string>;
  publicKeyHex: string;
}

// Without these the signature would not bind the body (digest), the time (date) or the endpoint.
const REQUIRED_SIGNED_HEADERS = ["(request-target)", "host", "date", "digest"];
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** An Ed25519 KeyObject from a raw 32-byte key in hex, or undefined if it is not one. */
function ed25519PublicKey(publicKeyHex: unknown): KeyObject | undefined {
  if (typeof publicKeyHex !== "string" || !/^[0-9a-f]{64}$/i.test(publicKeyHex)) return undefined;
  try {
    const der = Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(publicKeyHex, "hex")]);
    return createPublicKey({ key: der, format: "der", type: "spki" });
  } catch {
    return undefined;
  }
}

function signatureVerifies(parameters: KeygenSignatureParameters, signingString: string, keys: KeyObject[]): boolean {
  if (parameters.algorithm !== "ed25519") return false;
  const content = Buffer.from(signingString, "utf8");
  return keys.some((key) => {
    try {
      return verify(null, content, key, parameters.signature);
    } catch {
      return false;
    }
  });
}

/** Checks only the Ed25519 signature of a Keygen-signed request or response (no date or digest checks). */
export function verifyKeygenSignature({ method, path, host, headers, publicKeyHex }: KeygenSignatureCheck): boolean {
  const header = readHeader(headers, "keygen-signature");
  const parameters = header === undefined ? undefined : parseKeygenSignatureHeader(header);
  const key = ed25519PublicKey(publicKeyHex);
  if (parameters === undefined || key === undefined) return false;
  const signingString = buildKeygenSigningString({ method, path, host, headers, ...parameters });
  return signingString !== undefined && signatureVerifies(parameters, signingString, [key]);
}

/**
 * The host and request target Keygen signed: those of `publicUrl` when set, else the request's own. The target is
 * the path and, when the endpoint URL has one, its query string: Keygen's webhook worker signs
 * `[uri.path || "/", uri.query].compact.join("?")` of the endpoint's URL (keygen-sh/keygen-api,
 * app/workers/webhook_worker.rb), so an endpoint registered as `…/webhooks/keygen?tenant=acme` is signed with it.
 */
function signedEndpoint(
  request: SignedRequest,
  publicUrl: string | undefined,
): { host?: string; path: string } | undefined {
  if (publicUrl === undefined) {
    const query = request.rawQueryString ?? "";
    const path = `${request.rawPath || "/"}${query === "" ? "" : `?${query}`}`;
    return { host: readHeader(request.headers, "host"), path };
  }
  if (!URL.canParse(publicUrl)) return undefined;
  const url = new URL(publicUrl);
  return { host: url.host, path: `${url.pathname}${url.search}` };
}

function digestMatches(digest: string, rawBody: Buffer): boolean {
  const separator = digest.indexOf("=");
  if (separator < 0 || digest.slice(0, separator).toLowerCase() !== "sha-256") return false;
  const expected = createHash("sha256").update(rawBody).digest("base64");
  return constantTimeEqual(digest.slice(separator + 1).trim(), expected);
}

/** Verifies a Keygen webhook (`keygen-signature`, Ed25519); the event id is `data.meta.idempotencyToken`. */
export function verifyKeygen(request: SignedRequest, config: KeygenConfig, nowMs: number): VerifyResult {
  const header = readHeader(request.headers, "keygen-signature");
  if (header === undefined) return reject("invalid_signature", "missing keygen-signature header");
  const parameters = parseKeygenSignatureHeader(header);
  if (parameters === undefined) return reject("invalid_signature", "malformed keygen-signature header");
  if (parameters.algorithm !== "ed25519") {
    return reject("invalid_signature", "keygen-signature algorithm is not ed25519");
  }
  if (!REQUIRED_SIGNED_HEADERS.every((name) => parameters.signedHeaders.includes(name))) {
    return reject("invalid_signature", `keygen-signature must sign ${REQUIRED_SIGNED_HEADERS.join(" ")}`);
  }
  const date = readHeader(request.headers, "date");
  const dateMs = date === undefined ? Number.NaN : Date.parse(date);
  if (Number.isNaN(dateMs)) return reject("invalid_signature", "missing or malformed date header");
  if (!isWithinTolerance(dateMs, nowMs, config.toleranceSeconds)) {
    return reject("stale_timestamp", "date header is outside the tolerance");
  }
  const endpoint = signedEndpoint(request, config.publicUrl);
  if (endpoint === undefined) return reject("invalid_signature", "configured publicUrl is not a valid URL");
  if (endpoint.host === undefined) return reject("invalid_signature", "missing host header");
  const signingString = buildKeygenSigningString({
    method: request.method,
    path: endpoint.path,
    host: endpoint.host,
    headers: request.headers,
    signedHeaders: parameters.signedHeaders,
  });
  if (signingString === undefined) return reject("invalid_signature", "a signed header is missing from the request");
  const keys = (Array.isArray(config.publicKeysHex) ? config.publicKeysHex : []).map(ed25519PublicKey);
  const usableKeys = keys.filter((key): key is KeyObject => key !== undefined);
  if (!signatureVerifies(parameters, signingString, usableKeys)) {
    return reject("invalid_signature", "signature does not verify with an active public key");
  }
  // The signature covers the digest header; this binds it to the bytes actually received.
  if (!digestMatches(readHeader(request.headers, "digest") ?? "", request.rawBody)) {
    return reject("invalid_signature", "digest header does not match the body");
  }
  const body = parseJsonBody(request.rawBody);
  if (!body.ok) return reject("malformed_payload", "body is not JSON");
  // Not data.id: a retried Keygen delivery is a new webhook-event resource carrying the same token.
  const token = readJsonPath(body.value, "data.meta.idempotencyToken");
  const eventType = readJsonPath(body.value, "data.attributes.event");
  return acceptEventId(token, "JSON field data.meta.idempotencyToken", {
    eventType: typeof eventType === "string" ? eventType : undefined,
  });
}
