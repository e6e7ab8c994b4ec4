import { type KeyObject, randomBytes } from "node:crypto";
import type { DestinationConfig, GatewayConfig } from "../../lambdas/shared/gatewayConfig.ts";
import { keygenKeyPair } from "./signedWebhooks.ts";

/** Fresh secrets for every provider scheme, as a sender and the gateway would share them. */
export interface ProviderCredentials {
  stripe: string;
  github: string;
  shopify: string;
  standard: string;
  generic: string;
  keygen: { privateKey: KeyObject; publicKeyHex: string };
  /** Outbound `whsec_` signing secret of the destinations. */
  destination: string;
}

/** Environment variables the test configuration references (`{ env: NAME }`). */
export const SECRET_ENV = {
  stripe: "TEST_STRIPE_SECRET",
  github: "TEST_GITHUB_SECRET",
  shopify: "TEST_SHOPIFY_SECRET",
  standard: "TEST_STANDARD_SECRET",
  generic: "TEST_GENERIC_SECRET",
  keygen: "TEST_KEYGEN_PUBLIC_KEY",
  destination: "TEST_DESTINATION_SECRET",
} as const;

/** Header carrying the generic provider's HMAC. */
export const GENERIC_SIGNATURE_HEADER = "x-signature";

const whsec = () => `whsec_${randomBytes(24).toString("base64")}`;

export function newProviderCredentials(): ProviderCredentials {
  return {
    stripe: whsec(),
    github: randomBytes(16).toString("hex"),
    shopify: randomBytes(16).toString("hex"),
    standard: whsec(),
    generic: randomBytes(16).toString("hex"),
    keygen: keygenKeyPair(),
    destination: whsec(),
  };
}

/** The environment that holds `credentials` under {@link SECRET_ENV}'s names. */
export function credentialsEnvironment(credentials: ProviderCredentials): Record<string, string> {
  return {
    [SECRET_ENV.stripe]: credentials.stripe,
    [SECRET_ENV.github]: credentials.github,
    [SECRET_ENV.shopify]: credentials.shopify,
    [SECRET_ENV.standard]: credentials.standard,
    [SECRET_ENV.generic]: credentials.generic,
    [SECRET_ENV.keygen]: credentials.keygen.publicKeyHex,
    [SECRET_ENV.destination]: credentials.destination,
  };
}

/**
 * A configuration with one provider per scheme (`stripe`, `github`, `shopify`, `standard`, `keygen`, `generic`
 * signed with {@link GENERIC_SIGNATURE_HEADER}, and `open`: generic, unsigned, id in the JSON field `id`) and
 * two destinations: `primary` gets every provider, `audit` only stripe and github.
 */
export function allProvidersConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const env = (name: string) => [{ env: name }];
  const signingSecrets = env(SECRET_ENV.destination);
  const destinations: DestinationConfig[] = [
    { id: "primary", url: "http://127.0.0.1:9/primary", signingSecrets },
    { id: "audit", url: "https://audit.example.com/hooks", providers: ["stripe", "github"], signingSecrets },
  ];
  return {
    providers: {
      stripe: { scheme: "stripe", secrets: env(SECRET_ENV.stripe) },
      github: { scheme: "github", secrets: env(SECRET_ENV.github) },
      shopify: { scheme: "shopify", secrets: env(SECRET_ENV.shopify) },
      standard: { scheme: "standard", secrets: env(SECRET_ENV.standard) },
      keygen: { scheme: "keygen", publicKeys: env(SECRET_ENV.keygen) },
      generic: {
        scheme: "generic",
        eventId: {},
        signature: { header: GENERIC_SIGNATURE_HEADER, secrets: env(SECRET_ENV.generic) },
      },
      open: { scheme: "generic", eventId: { jsonPath: "id" }, signature: "none" },
    },
    destinations,
    ...overrides,
  };
}
