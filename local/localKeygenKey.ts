import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";

/**
 * LOCAL-ONLY TEST KEY. An Ed25519 key pair standing in for a Keygen account's signing key, so that the local stack
 * can verify Keygen webhooks and the chaos command can sign them. It is published in this repository: it protects
 * nothing, and must never be configured anywhere but on a developer's machine (`KEYGEN_PUBLIC_KEY` unset).
 */
const LOCAL_KEYGEN_PRIVATE_SEED_HEX = "7b7f0ffff725ab288e27421b8ae551de6ca239f4a4402c926d9b3d1465c09fcf";

// PKCS#8 DER of an Ed25519 private key: this fixed 16-byte prefix, then the 32-byte seed.
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
// SPKI DER of an Ed25519 public key: a 12-byte prefix, then the 32 raw key bytes (the hex form Keygen shows).
const ED25519_SPKI_PREFIX_BYTES = 12;

/** The local-only Keygen private key (what Keygen itself would hold). */
export function localKeygenPrivateKey(): KeyObject {
  const der = Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(LOCAL_KEYGEN_PRIVATE_SEED_HEX, "hex")]);
  return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
}

/** The matching public key as 64 hex characters: the local default of `KEYGEN_PUBLIC_KEY`. */
export function localKeygenPublicKeyHex(): string {
  const spki = createPublicKey(localKeygenPrivateKey()).export({ format: "der", type: "spki" });
  return spki.subarray(ED25519_SPKI_PREFIX_BYTES).toString("hex");
}
