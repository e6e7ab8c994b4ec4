import { localKeygenPrivateKey, localKeygenPublicKeyHex } from "./localKeygenKey.ts";
import { LOCAL_SECRET_ENV, localSecret } from "./localSecrets.ts";
import {
  githubEventId,
  type SignedWebhook,
  signedGithubWebhook,
  signedKeygenWebhook,
  signedShopifyWebhook,
  signedStandardWebhook,
  signedStripeWebhook,
} from "./webhookSigning.ts";

/** The providers the local stack configures, and so the ones the chaos command can sign for. */
export const CHAOS_PROVIDERS = ["stripe", "github", "shopify", "standard", "keygen"] as const;
export type ChaosProvider = (typeof CHAOS_PROVIDERS)[number];

/** One webhook, ready to be POSTed any number of times (byte for byte, as a provider's retry is). */
export interface ChaosWebhook extends SignedWebhook {
  provider: ChaosProvider;
  eventId: string;
  /** `/webhooks/<provider>` */
  path: string;
}

export interface ChaosSigningContext {
  /** Where the secrets are read (with the same local defaults as `npm start`). */
  env: Readonly<Record<string, string | undefined>>;
  /** The stack's base URL: Keygen signs the host and path of the endpoint it calls. */
  baseUrl: string;
  nowMs: number;
}

/**
 * A correctly signed webhook of `provider` whose event id is `eventId`, signed with the secret `npm start` uses
 * (the same environment variables, the same local defaults).
 * @throws Error for Keygen when `KEYGEN_PUBLIC_KEY` is not the local test key: only its private half is known here
 */
export function chaosWebhook(provider: ChaosProvider, eventId: string, context: ChaosSigningContext): ChaosWebhook {
  const { env, nowMs } = context;
  const path = `/webhooks/${provider}`;
  const signed = (): SignedWebhook => {
    switch (provider) {
      case "stripe":
        return signedStripeWebhook({ secret: localSecret(env, "stripe"), eventId, nowMs });
      case "github":
        return signedGithubWebhook({ secret: localSecret(env, "github"), deliveryId: eventId });
      case "shopify":
        return signedShopifyWebhook({ secret: localSecret(env, "shopify"), webhookId: eventId });
      case "standard":
        return signedStandardWebhook({ secret: localSecret(env, "standard"), messageId: eventId, nowMs });
      case "keygen": {
        if (localSecret(env, "keygen") !== localKeygenPublicKeyHex()) {
          throw new Error(
            `${LOCAL_SECRET_ENV.keygen} is set to another key: the chaos command can only sign Keygen events with the local test key (unset it)`,
          );
        }
        const host = new URL(context.baseUrl).host;
        const privateKey = localKeygenPrivateKey();
        return signedKeygenWebhook({ privateKey, idempotencyToken: eventId, nowMs, host, path });
      }
    }
  };
  const { body, headers } = signed();
  return {
    provider,
    // The id the gateway stores: GitHub's is composed with the hook id.
    eventId: provider === "github" ? githubEventId(eventId) : eventId,
    path,
    body,
    headers: { "content-type": "application/json", "user-agent": "oncegate-chaos/1", ...headers },
  };
}
