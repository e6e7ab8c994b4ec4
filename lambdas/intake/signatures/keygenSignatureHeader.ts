import { readHeader } from "./readHeader.ts";

/** The parameters of a `keygen-signature` header (HTTP Signatures draft style). */
export interface KeygenSignatureParameters {
  keyId: string | undefined;
  algorithm: string;
  signature: Buffer;
  /** Lower-cased names from `headers="…"`, in the order they are signed. */
  signedHeaders: string[];
}

/** What the signing string is built from. */
export interface KeygenSigningInput {
  method: string;
  path: string;
  host: string;
  headers: Record<string, string>;
  signedHeaders: readonly string[];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ED25519_SIGNATURE_BYTES = 64;

/** Parses `keyid="…", algorithm="…", signature="…", headers="…"`; undefined if malformed (never throws). */
export function parseKeygenSignatureHeader(value: string): KeygenSignatureParameters | undefined {
  const parameters = new Map<string, string>();
  // Sticky: each pair must start where the previous one ended, so no junk can hide between pairs.
  const pair = /\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*"([^"]*)"\s*(?:,|$)/y;
  while (pair.lastIndex < value.length) {
    const match = pair.exec(value);
    if (match === null) return undefined;
    const name = (match[1] ?? "").toLowerCase();
    // A repeated parameter makes it ambiguous which value was meant.
    if (parameters.has(name)) return undefined;
    parameters.set(name, match[2] ?? "");
  }
  const algorithm = parameters.get("algorithm");
  const encodedSignature = parameters.get("signature");
  const headers = parameters.get("headers");
  if (algorithm === undefined || encodedSignature === undefined || headers === undefined) return undefined;
  if (!BASE64.test(encodedSignature)) return undefined;
  const signature = Buffer.from(encodedSignature, "base64");
  if (signature.length !== ED25519_SIGNATURE_BYTES) return undefined;
  const signedHeaders = headers.toLowerCase().split(/\s+/).filter(Boolean);
  if (signedHeaders.length === 0) return undefined;
  return { keyId: parameters.get("keyid"), algorithm: algorithm.toLowerCase(), signature, signedHeaders };
}

/** Builds the newline-joined signing string, or undefined if a signed header is absent from the request. */
export function buildKeygenSigningString({
  method,
  path,
  host,
  headers,
  signedHeaders,
}: KeygenSigningInput): string | undefined {
  const lines: string[] = [];
  for (const name of signedHeaders) {
    if (name === "(request-target)") lines.push(`(request-target): ${method.toLowerCase()} ${path}`);
    else if (name === "host") lines.push(`host: ${host}`);
    else {
      const value = readHeader(headers, name);
      if (value === undefined) return undefined;
      lines.push(`${name}: ${value}`);
    }
  }
  return lines.join("\n");
}
