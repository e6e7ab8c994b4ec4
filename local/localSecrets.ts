import { localKeygenPublicKeyHex } from "./localKeygenKey.ts";

/**
 * The secrets of the local stack: each read from its environment variable, else a fixed local default that is
 * printed at start-up, so that the chaos command (and anyone with curl) can sign webhooks the stack accepts.
 * The defaults are public: they are for a developer's machine only.
 */

/** Environment variable of each local secret. */
export const LOCAL_SECRET_ENV = {
  stripe: "STRIPE_WEBHOOK_SECRET",
  github: "GITHUB_WEBHOOK_SECRET",
  shopify: "SHOPIFY_WEBHOOK_SECRET",
  /** A Standard Webhooks secret: `whsec_` followed by base64. */
  standard: "STANDARD_WEBHOOK_SECRET",
  /** Ed25519 public key, 64 hex characters. */
  keygen: "KEYGEN_PUBLIC_KEY",
  /** Outbound signing secret of the destinations (`whsec_…`). */
  signing: "ONCEGATE_SIGNING_SECRET",
} as const;

export type LocalSecretName = keyof typeof LOCAL_SECRET_ENV;

/** The local defaults, by secret. */
export const LOCAL_SECRET_DEFAULTS: Readonly<Record<LocalSecretName, string>> = {
  stripe: "whsec_oncegate_local_stripe_secret",
  github: "oncegate-local-github-secret",
  shopify: "oncegate-local-shopify-secret",
  standard: "whsec_b25jZWdhdGUtbG9jYWwtc3RhbmRhcmQtd2ViaG9va3M=",
  keygen: localKeygenPublicKeyHex(),
  signing: "whsec_b25jZWdhdGUtbG9jYWwtb3V0Ym91bmQtc2lnbmluZw==",
};

/** One secret in use, and where its value comes from. */
export interface LocalSecret {
  name: LocalSecretName;
  variable: string;
  value: string;
  /** False when the local default is used. */
  fromEnvironment: boolean;
}

/** Every local secret: the environment's value when set and not empty, else the local default. */
export function localSecrets(env: Readonly<Record<string, string | undefined>>): LocalSecret[] {
  return (Object.keys(LOCAL_SECRET_ENV) as LocalSecretName[]).map((name) => {
    const variable = LOCAL_SECRET_ENV[name];
    const given = env[variable];
    const fromEnvironment = given !== undefined && given !== "";
    return { name, variable, value: fromEnvironment ? given : LOCAL_SECRET_DEFAULTS[name], fromEnvironment };
  });
}

/** The value of one secret (environment, else default). */
export function localSecret(env: Readonly<Record<string, string | undefined>>, name: LocalSecretName): string {
  return localSecrets(env).find((secret) => secret.name === name)?.value ?? LOCAL_SECRET_DEFAULTS[name];
}

/** `{ VARIABLE: value }` for every secret: what the Lambdas' `{ env }` secret references resolve against. */
export function localSecretsEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(localSecrets(env).map(({ variable, value }) => [variable, value]));
}
