import { setTimeout as sleep } from "node:timers/promises";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import middy, { type MiddlewareObj } from "@middy/core";
import { type IdempotencyContext, idempotency } from "@oncegate/sdk";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { signedRequestOf } from "../lambdas/intake/intakeRequest.ts";
import { verifyStandard } from "../lambdas/intake/signatures/standard.ts";
import { type Clock, systemClock } from "../lambdas/shared/clock.ts";
import type { CrashAt } from "./crashPoints.ts";
import { bumpCounter } from "./demoCounters.ts";
import { LOCAL_TABLES } from "./stackResources.ts";

/** Scope of the demo consumer's idempotency records. */
export const DEMO_CONSUMER_SCOPE = "demo-consumer";

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

/** What the demo handler throws for an event of `ONCEGATE_DEMO_CONSUMER_FAIL`. */
export class DemoHandlerError extends Error {
  override readonly name = "DemoHandlerError";
}

/** The Lambda context fields the demo consumer and the SDK read. */
export interface DemoConsumerContext {
  functionName: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
  idempotency?: IdempotencyContext;
}

export type DemoConsumer = (
  event: APIGatewayProxyEventV2,
  context: DemoConsumerContext,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The demo consumer, a Lambda behind a Function URL wrapped with the SDK. Per event: count the run (outside any
 * transaction, first thing), take `delayMs` (the claim is held meanwhile), record a charge through the SDK's `db`
 * (it commits with the completion record, or not at all), send a "receipt" (a non-transactional effect), answer 201.
 *
 * Middlewares, in the order Middy runs their `before`: the crash point `consumer:after-commit`, whose `after` runs
 * last (Middy runs `after` in reverse), so after `idempotency()`'s `after` has committed and before the answer
 * leaves; the gateway signature check, before `idempotency()` so that a forged request never burns a key; then
 * `idempotency()`.
 */
export function createDemoConsumer(options: DemoConsumerOptions): DemoConsumer {
  const { ddb, crashAt } = options;
  const clock = options.clock ?? systemClock;
  const delayMs = options.delayMs ?? 0;
  const failing = new Set(options.failEventIds ?? []);
  const handler = middy(async (event: APIGatewayProxyEventV2, context: DemoConsumerContext) => {
    await bumpCounter(ddb, "handlerRuns");
    const eventId = event.headers?.["oncegate-event-id"] ?? "";
    if (failing.delete(eventId)) {
      throw new DemoHandlerError(`demo handler failure for ${eventId} (ONCEGATE_DEMO_CONSUMER_FAIL)`);
    }
    // Slow work, not waiting for a duplicate: the SDK answers those 409 at once while this run holds the claim.
    if (delayMs > 0) await sleep(delayMs);
    const { key, db } = context.idempotency as IdempotencyContext;
    const headers = event.headers ?? {};
    await db.put({
      TableName: LOCAL_TABLES.charges,
      Item: {
        id: key,
        provider: headers["oncegate-provider"] ?? "",
        eventId: headers["oncegate-event-id"] ?? "",
        chargedAt: new Date(clock.nowMs()).toISOString(),
      },
    });
    await bumpCounter(ddb, "receipts");
    crashAt("consumer:after-effect");
    return { statusCode: 201, headers: { "content-type": "application/json" }, body: JSON.stringify({ charged: key }) };
  })
    .use(crashAfterCommit(crashAt))
    .use(gatewaySignatureCheck(options.signingSecret, clock))
    .use(
      idempotency({
        tableName: LOCAL_TABLES.idempotency,
        scope: DEMO_CONSUMER_SCOPE,
        client: ddb,
        // The gateway retries a 409 after Retry-After: 1 s keeps local retries as quick as the local schedule.
        inProgressRetryAfterSeconds: 1,
        logger: options.logger,
      }),
    );
  return handler as unknown as DemoConsumer;
}

function crashAfterCommit(crashAt: CrashAt): MiddlewareObj {
  return { after: () => crashAt("consumer:after-commit") };
}

function gatewaySignatureCheck(signingSecret: string, clock: Clock): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: (request) => {
      const verified = verifyStandard(signedRequestOf(request.event), { secrets: [signingSecret] }, clock.nowMs());
      if (verified.ok) return;
      return {
        statusCode: 401,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ok: false, error: "invalid_signature", message: verified.message }),
      };
    },
  };
}
