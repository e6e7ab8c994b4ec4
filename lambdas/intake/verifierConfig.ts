import type { ProviderScheme } from "../shared/gatewayConfig.ts";
import type { SecretResolver } from "../shared/secrets.ts";
import type { SignatureSchemeConfig } from "./signatures/index.ts";

/**
 * A provider's configured scheme with its secret references resolved, as `verifySignedRequest` takes it.
 * The resolver caches every value, so after the first request per provider this costs no I/O.
 * @throws SecretUnavailableError when a referenced secret cannot be read
 */
export async function verifierConfigFor(
  scheme: ProviderScheme,
  secrets: SecretResolver,
): Promise<SignatureSchemeConfig> {
  switch (scheme.scheme) {
    case "stripe":
    case "standard":
      return {
        scheme: scheme.scheme,
        secrets: await secrets.resolveAll(scheme.secrets),
        toleranceSeconds: scheme.toleranceSeconds,
      };
    case "github":
    case "shopify":
      return { scheme: scheme.scheme, secrets: await secrets.resolveAll(scheme.secrets) };
    case "keygen":
      return {
        scheme: "keygen",
        publicKeysHex: await secrets.resolveAll(scheme.publicKeys),
        publicUrl: scheme.publicUrl,
        toleranceSeconds: scheme.toleranceSeconds,
      };
    case "generic": {
      const { signature } = scheme;
      if (signature === "none") return { scheme: "generic", eventId: scheme.eventId, signature };
      const resolved = { header: signature.header, secrets: await secrets.resolveAll(signature.secrets) };
      return { scheme: "generic", eventId: scheme.eventId, signature: resolved };
    }
  }
}
