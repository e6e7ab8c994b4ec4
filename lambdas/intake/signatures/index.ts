import { type GenericConfig, verifyGeneric } from "./generic.ts";
import { type GitHubConfig, verifyGitHub } from "./github.ts";
import { type KeygenConfig, verifyKeygen } from "./keygen.ts";
import { type ShopifyConfig, verifyShopify } from "./shopify.ts";
import { type StandardConfig, verifyStandard } from "./standard.ts";
import { type StripeConfig, verifyStripe } from "./stripe.ts";
import type { SignedRequest, VerifyResult } from "./types.ts";
import { reject } from "./verifyResults.ts";

export type { GenericConfig, GenericEventIdSource, GenericSignature } from "./generic.ts";
export type { GitHubConfig } from "./github.ts";
export type { KeygenConfig } from "./keygen.ts";
export type { ShopifyConfig } from "./shopify.ts";
export type { StandardConfig, StandardWebhookMessage } from "./standard.ts";
export { signStandardWebhook } from "./standard.ts";
export type { StripeConfig } from "./stripe.ts";
export type { SignedRequest, VerifyError, VerifyFailure, VerifyResult, VerifySuccess } from "./types.ts";

/** A source's signature scheme and its settings, discriminated by `scheme`. */
export type SignatureSchemeConfig =
  | ({ scheme: "stripe" } & StripeConfig)
  | ({ scheme: "github" } & GitHubConfig)
  | ({ scheme: "shopify" } & ShopifyConfig)
  | ({ scheme: "standard" } & StandardConfig)
  | ({ scheme: "keygen" } & KeygenConfig)
  | ({ scheme: "generic" } & GenericConfig);

/** Name of a supported signature scheme. */
export type SignatureScheme = SignatureSchemeConfig["scheme"];

/** Verifies a request with the scheme its source is configured for. */
export function verifySignedRequest(
  config: SignatureSchemeConfig,
  request: SignedRequest,
  nowMs: number,
): VerifyResult {
  switch (config.scheme) {
    case "stripe":
      return verifyStripe(request, config, nowMs);
    case "github":
      return verifyGitHub(request, config, nowMs);
    case "shopify":
      return verifyShopify(request, config, nowMs);
    case "standard":
      return verifyStandard(request, config, nowMs);
    case "keygen":
      return verifyKeygen(request, config, nowMs);
    case "generic":
      return verifyGeneric(request, config, nowMs);
    default:
      // Config arrives as data: an unknown scheme fails closed rather than passing unverified.
      return reject("invalid_signature", `unknown signature scheme ${String((config as { scheme?: unknown }).scheme)}`);
  }
}
