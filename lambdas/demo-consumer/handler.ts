import { idempotent } from "@oncegate/sdk";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { signedRequestOf } from "../intake/intakeRequest.ts";
import { verifyStandard } from "../intake/signatures/standard.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import type { SecretRef } from "../shared/gatewayConfig.ts";
import { jsonLogger, type Logger } from "../shared/logger.ts";
import { createSecretResolver, type SecretResolver } from "../shared/secrets.ts";
import { DEMO_CONSUMER_ENV } from "./environment.ts";

/** What {@link createDemoConsumer} is built from. */
export interface DemoConsumerOptions {
  /** The Standard Webhooks secret the gateway signs this destination's deliveries with. */
  signingSecret: SecretRef;
  secrets: SecretResolver;
  /** The SDK's idempotency table. */
  tableName: string;
  /** @default the system clock */
  clock?: Clock;
  /** Where its line and the SDK's line per delivery go. @default one JSON line each on stdout */
  logger?: Logger;
}

/** A Function URL request (payload format 2.0, as HTTP APIs send) in, an HTTP response out. */
export type DemoConsumer = (event: APIGatewayProxyEventV2, context: { functionName?: string }) => Promise<unknown>;

const JSON_TYPE = { "Content-Type": "application/json" };

/**
 * The example consumer the CDK app deploys as a destination: it checks the gateway's Standard Webhooks signature
 * first (a forged request must not burn an idempotency key), then runs its handler at most once per
 * `Idempotency-Key` with the SDK. Duplicates are answered from the stored response without running it again.
 */
export function createDemoConsumer(options: DemoConsumerOptions): DemoConsumer {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? jsonLogger;
  const consume = idempotent(
    async ({ key, raw }) => {
      const headers = (raw as APIGatewayProxyEventV2).headers ?? {};
      // Stands for the real work; it runs once per key however often the gateway delivers.
      logger({ level: "info", msg: "oncegate.demo_consumer", key, provider: headers["oncegate-provider"] });
      return { received: key };
    },
    { tableName: options.tableName, logger },
  );

  return async (event, context) => {
    const secret = await options.secrets.resolve(options.signingSecret);
    const verified = verifyStandard(signedRequestOf(event), { secrets: [secret] }, clock.nowMs());
    if (!verified.ok) {
      const body = { ok: false, error: verified.error, message: verified.message };
      return { statusCode: 401, headers: JSON_TYPE, body: JSON.stringify(body) };
    }
    return consume(event, context);
  };
}

/**
 * Builds the consumer from the environment (`DEMO_CONSUMER_ENV`), reading the signing secret from Secrets Manager.
 * @throws Error naming the missing variable
 */
export function demoConsumerFromEnvironment(env: Readonly<Record<string, string | undefined>>): DemoConsumer {
  return createDemoConsumer({
    signingSecret: { secretArn: required(env, DEMO_CONSUMER_ENV.signingSecretArn) },
    secrets: createSecretResolver({ env }),
    tableName: required(env, DEMO_CONSUMER_ENV.idempotencyTable),
  });
}

function required(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name];
  if (value === undefined || value === "") throw new Error(`${name}: environment variable is not set`);
  return value;
}

let fromEnvironment: DemoConsumer | undefined;

/** The Lambda entry point (Function URL), built once per cold start from `process.env`. */
export async function handler(event: APIGatewayProxyEventV2, context: { functionName?: string }): Promise<unknown> {
  fromEnvironment ??= demoConsumerFromEnvironment(process.env);
  return fromEnvironment(event, context);
}
