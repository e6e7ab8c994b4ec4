import { setTimeout as sleep } from "node:timers/promises";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { TransactionalDb } from "@oncegate/sdk";
import { verifyStandard } from "../lambdas/intake/signatures/standard.ts";
import type { SignedRequest } from "../lambdas/intake/signatures/types.ts";
import { type Clock, systemClock } from "../lambdas/shared/clock.ts";
import type { CrashAt } from "./crashPoints.ts";
import { bumpCounter } from "./demoCounters.ts";
import { integerFromEnvironment, LOCAL_DEFAULTS, LOCAL_ENV } from "./localEnvironment.ts";
import { LOCAL_TABLES } from "./stackResources.ts";

/**
 * What the demo consumer does with a delivery, whatever serves it (a Lambda with the SDK's Middy middleware, or an
 * Express app with `@oncegate/sdk/express`): the same signature check before the claim and the same handler body
 * after it, so both give the same numbers.
 */

/** Scope of the demo consumer's idempotency records. */
export const DEMO_CONSUMER_SCOPE = "demo-consumer";

/** The gateway retries a 409 after Retry-After: 1 s keeps local retries as quick as the local schedule. */
export const DEMO_IN_PROGRESS_RETRY_AFTER_SECONDS = 1;

/** What the demo consumer is built from. */
export interface DemoConsumerOptions {
  ddb: DynamoDBClient;
  /** The gateway's outbound `whsec_` secret: the consumer checks every delivery's Standard Webhooks signature. */
  signingSecret: string;
  crashAt: CrashAt;
  /** Where the SDK's per-invocation JSON line goes. */
  logger: (line: Record<string, unknown>) => void;
  /** Checks signature timestamps. @default the system clock */
  clock?: Clock;
  /** Milliseconds each run of the handler takes, after the claim (a slow consumer). @default 0 */
  delayMs?: number;
  /** Event ids whose first run throws (`ONCEGATE_DEMO_CONSUMER_FAIL`): a handler bug, once per id. @default none */
  failEventIds?: ReadonlySet<string>;
}

/** How the demo handler behaves, from the environment: `ONCEGATE_DEMO_CONSUMER_DELAY_MS`, `ONCEGATE_DEMO_CONSUMER_FAIL`. */
export function demoBehaviourOf(env: Readonly<Record<string, string | undefined>>): {
  delayMs: number;
  failEventIds: ReadonlySet<string>;
} {
  const delayMs = integerFromEnvironment(env, LOCAL_ENV.demoConsumerDelayMs, LOCAL_DEFAULTS.demoConsumerDelayMs, {
    min: 0,
    max: LOCAL_DEFAULTS.maxDemoConsumerDelayMs,
  });
  // Comma-separated event ids.
  const ids = (env[LOCAL_ENV.demoConsumerFail] ?? "").split(",").map((id) => id.trim());
  return { delayMs, failEventIds: new Set(ids.filter((id) => id !== "")) };
}

/** What the demo handler throws for an event of `ONCEGATE_DEMO_CONSUMER_FAIL`. */
export class DemoHandlerError extends Error {
  override readonly name = "DemoHandlerError";
}

/** One claimed delivery, as the SDK hands it to the handler. */
export interface ClaimedDelivery {
  key: string;
  db: TransactionalDb;
  /** The delivery's headers, names lower-cased. */
  headers: Readonly<Record<string, string | undefined>>;
}

/** The demo's answer to a delivery it ran: `201 {"charged": key}`. */
export interface DemoCharged {
  charged: string;
}

/**
 * The demo handler. Per delivery: count the run (outside any transaction, first thing), take `delayMs` (the claim is
 * held meanwhile), record a charge through the SDK's `db` (it commits with the completion record, or not at all),
 * send a "receipt" (a non-transactional effect), then reach the crash point `consumer:after-effect`.
 */
export function demoHandler(options: DemoConsumerOptions): (delivery: ClaimedDelivery) => Promise<DemoCharged> {
  const { ddb, crashAt } = options;
  const clock = options.clock ?? systemClock;
  const delayMs = options.delayMs ?? 0;
  const failing = new Set(options.failEventIds ?? []);
  return async ({ key, db, headers }) => {
    await bumpCounter(ddb, "handlerRuns");
    const eventId = headers["oncegate-event-id"] ?? "";
    if (failing.delete(eventId)) {
      throw new DemoHandlerError(`demo handler failure for ${eventId} (ONCEGATE_DEMO_CONSUMER_FAIL)`);
    }
    // Slow work, not waiting for a duplicate: the SDK answers those 409 at once while this run holds the claim.
    if (delayMs > 0) await sleep(delayMs);
    await db.put({
      TableName: LOCAL_TABLES.charges,
      Item: {
        id: key,
        provider: headers["oncegate-provider"] ?? "",
        eventId,
        chargedAt: new Date(clock.nowMs()).toISOString(),
      },
    });
    await bumpCounter(ddb, "receipts");
    crashAt("consumer:after-effect");
    return { charged: key };
  };
}

/** The JSON body of a delivery the gateway did not sign. */
export interface SignatureRefusal {
  ok: false;
  error: "invalid_signature";
  message: string;
}

/**
 * The gateway's Standard Webhooks signature, checked before the SDK claims anything, so that a forged request never
 * burns a key: `undefined` when it holds, else the 401 body.
 */
export function refuseUnsigned(
  signingSecret: string,
  clock: Clock,
  request: SignedRequest,
): SignatureRefusal | undefined {
  const verified = verifyStandard(request, { secrets: [signingSecret] }, clock.nowMs());
  return verified.ok ? undefined : { ok: false, error: "invalid_signature", message: verified.message };
}
