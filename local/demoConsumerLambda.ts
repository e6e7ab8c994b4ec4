import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { DemoConsumerOptions } from "./demoCharge.ts";
import { createDemoConsumer } from "./demoConsumer.ts";

/** The demo consumer as its Function URL invokes it: one event in, the handler's answer out. */
export type FunctionUrlLambda = (event: APIGatewayProxyEventV2) => Promise<unknown>;

/** The Function URL's name in the context, as in AWS. */
const FUNCTION_NAME = "oncegate-demo-consumer";

// A Function URL consumer's timeout: Middy reads what is left of it from the context.
const CONSUMER_TIMEOUT_MS = 30_000;

/**
 * The demo consumer with a fresh Lambda context per invocation (request id, deadline): the same Lambda inside the
 * stack (`localLambdas.ts`) and on its own (`npm run consumer`).
 */
export function demoConsumerLambda(options: DemoConsumerOptions): FunctionUrlLambda {
  const demo = createDemoConsumer(options);
  return (event) => {
    const deadlineMs = Date.now() + CONSUMER_TIMEOUT_MS;
    return demo(event, {
      functionName: FUNCTION_NAME,
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => deadlineMs - Date.now(),
    });
  };
}
