import type { CircuitBreakerConfig } from "./circuitBreakerConfig.ts";

/**
 * The gateway's typed configuration, shared by the Lambdas, the CDK app and the local stack.
 * Non-secret: secrets are referenced (`SecretRef`) and resolved once per cold start.
 */

/** Where a secret's value comes from: an environment variable (local) or Secrets Manager (AWS). */
export type SecretRef = { env: string } | { secretArn: string; jsonKey?: string };

/**
 * Opt-in protection against a captured signed body re-sent under a fresh id, for the schemes whose id is an
 * unsigned header (GitHub, Shopify, generic with a header id): a second conditional write on a digest of the signed
 * bytes, kept this many seconds, refuses the same body under another id (`409 replayed_body`). Costs one more
 * write per request. @default off
 */
export interface ReplayOption {
  replayWindowSeconds?: number;
}

/** How a provider's webhooks are verified and where their event id is. */
export type ProviderScheme = ReplayOption &
  (
    | { scheme: "stripe"; secrets: SecretRef[]; toleranceSeconds?: number }
    | { scheme: "github"; secrets: SecretRef[] }
    | { scheme: "shopify"; secrets: SecretRef[] }
    | { scheme: "standard"; secrets: SecretRef[]; toleranceSeconds?: number }
    | { scheme: "keygen"; publicKeys: SecretRef[]; publicUrl?: string; toleranceSeconds?: number }
    | {
        scheme: "generic";
        eventId: { header?: string } | { jsonPath: string };
        /** Where the event's type is, for destinations that filter by it (`events`). @default none: no type */
        eventType?: { header: string } | { jsonPath: string };
        /** `"none"` only when explicitly configured: anyone could post events. */
        signature: { header: string; secrets: SecretRef[] } | "none";
      }
  );

export interface DestinationConfig {
  /** Stable id, `^[a-z0-9][a-z0-9-]{0,62}$`: part of job messages and of the stored per-destination status. */
  id: string;
  /** Where events are POSTed (https in AWS; http allowed for loopback only). */
  url: string;
  /** Providers whose events this destination receives. @default every provider */
  providers?: string[];
  /**
   * Event types this destination receives, e.g. `["invoice.*", "charge.succeeded"]` (`eventTypeFilter`: `*` is a
   * whole segment; last, it matches one or more). An event of its providers that no destination's filter takes is
   * stored `UNROUTED`. @default every event of its providers
   */
  events?: string[];
  /** Outbound Standard Webhooks signing secrets (`whsec_…`); the first signs, all are sent during rotation. */
  signingSecrets: SecretRef[];
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
  /**
   * The most deliveries to this destination at once (on AWS its event source mapping's maximum concurrency, 2 to
   * 1000; locally its worker's pollers). Each destination has its own queue and its own limit, so one that times
   * out holds only its own. @default the gateway's (`deliveryMaxConcurrency`, 5)
   */
  maxConcurrency?: number;
  /** When to stop attempting a failing destination (`CircuitBreakerConfig`); `false` turns it off. @default on */
  circuitBreaker?: CircuitBreakerConfig | false;
}

export interface GatewayConfig {
  /** Provider name (`^[a-z0-9][a-z0-9-]{0,62}$`, the `{provider}` of `POST /webhooks/{provider}`) → scheme. */
  providers: Record<string, ProviderScheme>;
  destinations: DestinationConfig[];
  /** Largest accepted body, at most 5242880 (a 6 MB synchronous Lambda invocation's room). @default 5242880 (5 MiB) */
  maxBodyBytes?: number;
  /** How long accepted events are kept (TTL). @default 2592000 (30 days, longer than any provider's retry window) */
  eventRetentionSeconds?: number;
  /** Seconds between delivery attempts. @default [5, 300, 1800, 7200, 18000, 36000, 36000] (8 attempts) */
  retryScheduleSeconds?: number[];
  /** Least delay after a 429 or a timeout. @default 60 */
  minDelayAfterThrottleSeconds?: number;
  /** Events still RECEIVED after this long are re-enqueued by the sweeper. @default 120 */
  sweepAfterSeconds?: number;
  /**
   * The most events per second the gateway is planned to accept at its peak: each index of the events table is
   * spread over as many partition key values as this rate needs (`indexShards`), so none reaches DynamoDB's
   * per-partition limit. Raising it is safe at any time; lowering it hides the entries already written to the
   * shards it drops from the readers until they expire (keep the highest value ever deployed). @default 1000
   */
  peakEventsPerSecond?: number;
}
