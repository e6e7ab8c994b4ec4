import { createHash } from "node:crypto";
import { CHAOS_PROVIDERS, type ChaosProvider, type ChaosWebhook } from "../../local/chaosWebhooks.ts";
import { localKeygenPrivateKey } from "../../local/localKeygenKey.ts";
import { localSecret } from "../../local/localSecrets.ts";
import {
  githubEventId,
  type SignedWebhook,
  signedGithubWebhook,
  signedKeygenWebhook,
  signedShopifyWebhook,
  signedStandardWebhook,
  signedStripeWebhook,
} from "../../local/webhookSigning.ts";

export interface MarkedSigningContext {
  /** Where the secrets are read, as `npm start` reads them (so a run with known secrets signs with those). */
  env: Readonly<Record<string, string | undefined>>;
  baseUrl: string;
  nowMs: number;
  /** A value put in every body: the log-hygiene check looks for it in the stack's output. */
  marker: string;
  /**
   * Bodies that go to the body bucket: {@link S3_BOUND_FILLER_BYTES} of commits with hex ids added to each body
   * (gzip cannot bring them under the 7 KB inline limit), so the intake takes its S3 path. @default false
   */
  s3Bodies?: boolean;
}

/** Filler of an S3-bound body: 24 KB of hex ids, ~13 KB after gzip, well over the 7 KB inline limit. */
export const S3_BOUND_FILLER_BYTES = 24 * 1024;

/**
 * Commits like a large GitHub push's, their ids hex digests of the event id (so deterministic, and as
 * incompressible as real ids), about `bytes` of JSON in all.
 */
export function hexCommits(eventId: string, bytes: number): { id: string; tree_id: string }[] {
  const commits: { id: string; tree_id: string }[] = [];
  for (let size = 0, index = 0; size < bytes; index++) {
    const digest = (part: string) => createHash("sha256").update(`${eventId}:${index}:${part}`).digest("hex");
    const commit = { id: digest("id").slice(0, 40), tree_id: digest("tree").slice(0, 40) };
    commits.push(commit);
    size += JSON.stringify(commit).length + 1;
  }
  return commits;
}

/**
 * A correctly signed webhook whose body carries `marker`, so that a payload leaking into a log line is found. The
 * event id sits where each scheme puts it (Stripe's `id`, Keygen's `idempotencyToken`, the others' headers).
 */
export function markedWebhook(
  provider: ChaosProvider,
  eventId: string,
  context: MarkedSigningContext,
  /** Signed instead of the usual body (the hostile generator signs malformed ones). */
  bodyOverride?: string | Buffer,
): ChaosWebhook {
  const { env, nowMs, marker } = context;
  const path = `/webhooks/${provider}`;
  const filler = context.s3Bodies ? { commits: hexCommits(eventId, S3_BOUND_FILLER_BYTES) } : {};
  const note = JSON.stringify({ note: marker, amount: 4200, ...filler });
  const signed = (): SignedWebhook => {
    switch (provider) {
      case "stripe": {
        const body =
          bodyOverride ??
          JSON.stringify({ id: eventId, object: "event", type: "charge.succeeded", data: JSON.parse(note) });
        return signedStripeWebhook({ secret: localSecret(env, "stripe"), eventId, nowMs, body });
      }
      case "github":
        return signedGithubWebhook({
          secret: localSecret(env, "github"),
          deliveryId: eventId,
          body: bodyOverride ?? note,
        });
      case "shopify":
        return signedShopifyWebhook({
          secret: localSecret(env, "shopify"),
          webhookId: eventId,
          body: bodyOverride ?? note,
        });
      case "standard": {
        const secret = localSecret(env, "standard");
        return signedStandardWebhook({ secret, messageId: eventId, nowMs, body: bodyOverride ?? note });
      }
      case "keygen": {
        const meta = { idempotencyToken: eventId };
        const body =
          bodyOverride ?? JSON.stringify({ data: { type: "webhook-events", attributes: JSON.parse(note), meta } });
        const host = new URL(context.baseUrl).host;
        const privateKey = localKeygenPrivateKey();
        return signedKeygenWebhook({ privateKey, idempotencyToken: eventId, nowMs, host, path, body });
      }
    }
  };
  const { body, headers } = signed();
  // The id the gateway stores: GitHub's is composed with the hook id.
  const storedId = provider === "github" ? githubEventId(eventId) : eventId;
  return { provider, eventId: storedId, path, body, headers: { "content-type": "application/json", ...headers } };
}

/** `count` events named `<prefix>-<i>`, spread over the five signature schemes in turn. */
export function markedWebhooks(prefix: string, count: number, context: MarkedSigningContext): ChaosWebhook[] {
  return Array.from({ length: count }, (_, index) => {
    const provider = CHAOS_PROVIDERS[index % CHAOS_PROVIDERS.length] as ChaosProvider;
    return markedWebhook(provider, `${prefix}-${index + 1}`, context);
  });
}
