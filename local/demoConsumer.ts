import middy, { type MiddlewareObj } from "@middy/core";
import { type IdempotencyContext, idempotency } from "@oncegate/sdk";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { signedRequestOf } from "../lambdas/intake/intakeRequest.ts";
import { type Clock, systemClock } from "../lambdas/shared/clock.ts";
import type { CrashAt } from "./crashPoints.ts";
import {
  DEMO_CONSUMER_SCOPE,
  DEMO_IN_PROGRESS_RETRY_AFTER_SECONDS,
  type DemoConsumerOptions,
  demoHandler,
  refuseUnsigned,
} from "./demoCharge.ts";
import { LOCAL_TABLES } from "./stackResources.ts";

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
 * The demo consumer, a Lambda behind a Function URL wrapped with the SDK's Middy middleware: `demoHandler` per
 * claimed event, answered 201.
 *
 * Middlewares, in the order Middy runs their `before`: the crash point `consumer:after-commit`, whose `after` runs
 * last (Middy runs `after` in reverse), so after `idempotency()`'s `after` has committed and before the answer
 * leaves; the gateway signature check, before `idempotency()` so that a forged request never burns a key; then
 * `idempotency()`.
 */
export function createDemoConsumer(options: DemoConsumerOptions): DemoConsumer {
  const clock = options.clock ?? systemClock;
  const run = demoHandler(options);
  const handler = middy(async (event: APIGatewayProxyEventV2, context: DemoConsumerContext) => {
    const { key, db } = context.idempotency as IdempotencyContext;
    const charged = await run({ key, db, headers: event.headers ?? {} });
    return { statusCode: 201, headers: { "content-type": "application/json" }, body: JSON.stringify(charged) };
  })
    .use(crashAfterCommit(options.crashAt))
    .use(gatewaySignatureCheck(options.signingSecret, clock))
    .use(
      idempotency({
        tableName: LOCAL_TABLES.idempotency,
        scope: DEMO_CONSUMER_SCOPE,
        client: options.ddb,
        inProgressRetryAfterSeconds: DEMO_IN_PROGRESS_RETRY_AFTER_SECONDS,
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
      const refusal = refuseUnsigned(signingSecret, clock, signedRequestOf(request.event));
      if (refusal === undefined) return;
      return { statusCode: 401, headers: { "content-type": "application/json" }, body: JSON.stringify(refusal) };
    },
  };
}
