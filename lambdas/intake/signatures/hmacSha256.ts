import { createHmac } from "node:crypto";

/** HMAC-SHA256 over the concatenation of `parts`, so the signed content is never copied into one buffer. */
export function hmacSha256(key: string | Uint8Array, ...parts: readonly (string | Uint8Array)[]): Buffer {
  const hmac = createHmac("sha256", key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** The configured secrets that can sign: an empty secret is skipped, since anyone could compute its HMAC. */
export function activeSecrets(secrets: readonly string[] | undefined): string[] {
  if (!Array.isArray(secrets)) return [];
  return secrets.filter((secret): secret is string => typeof secret === "string" && secret !== "");
}
