import { parseArgs } from "node:util";
import { UsageError } from "./cliUsage.ts";
import { dataDirOption, portOrUsage } from "./startOptions.ts";

/** What serves the demo consumer: the Lambda with the SDK's Middy middleware, or an Express app on the SDK's adapter. */
export const CONSUMER_FRAMEWORKS = ["lambda", "express"] as const;
export type ConsumerFramework = (typeof CONSUMER_FRAMEWORKS)[number];

/** What the consumer says serves it, at start. */
export const SERVED_BY: Record<ConsumerFramework, string> = {
  lambda: "the Lambda with the SDK's Middy middleware (@oncegate/sdk)",
  express: "an Express app on @oncegate/sdk/express",
};

/** What `npm run consumer` was asked for. */
export interface ConsumerOptions {
  port: number;
  /** DynamoDB Local of a running stack, e.g. `http://127.0.0.1:40123`. */
  dynamoDbEndpoint: string;
  framework: ConsumerFramework;
  /** Absolute: where the crash markers are kept (the stack's own data directory by default). */
  dataDir: string;
  help: boolean;
}

/** Port of the demo consumer on its own: next to the stack's 4000. */
export const CONSUMER_DEFAULT_PORT = 4001;

export const CONSUMER_USAGE = `usage: npm run consumer -- --dynamodb <endpoint> [--framework lambda|express] [--port <port>] [--data-dir <path>]

  --dynamodb <endpoint>  the DynamoDB Local of a running stack (its ready message prints it): the demo tables are there
  --framework <name>     lambda (default): the Lambda with the SDK's Middy middleware; express: an Express app on
                         @oncegate/sdk/express (WebhookGate's locked API)
  --port <port>          port on 127.0.0.1 (default ${CONSUMER_DEFAULT_PORT}; 0 picks a free one)
  --data-dir <path>      where the crash markers live (default: .oncegate/ in the repository, as npm start)

Serves POST /consumer/demo. Point the stack at it with ONCEGATE_DESTINATIONS=http://127.0.0.1:<port>/consumer/demo;
ONCEGATE_SIGNING_SECRET must be the stack's (both use the same local default when unset). ONCEGATE_CRASH_AT
(consumer:after-effect or consumer:after-commit; CRASH_ONCE=true is the first), ONCEGATE_DEMO_CONSUMER_DELAY_MS and
ONCEGATE_DEMO_CONSUMER_FAIL work as with npm start.`;

/**
 * Reads the flags.
 * @throws UsageError for an unknown flag, a bad port or framework, or no `--dynamodb`
 */
export function parseConsumerOptions(
  argv: string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ConsumerOptions {
  let values: { port?: string; dynamodb?: string; framework?: string; "data-dir"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        dynamodb: { type: "string" },
        framework: { type: "string" },
        "data-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const help = values.help === true;
  const dynamoDbEndpoint = values.dynamodb?.trim() ?? "";
  if (!help && !URL.canParse(dynamoDbEndpoint))
    throw new UsageError(
      `--dynamodb must be the URL of the stack's DynamoDB Local, got ${JSON.stringify(dynamoDbEndpoint)}`,
    );
  const framework = values.framework ?? "lambda";
  if (!(CONSUMER_FRAMEWORKS as readonly string[]).includes(framework))
    throw new UsageError(
      `--framework must be one of ${CONSUMER_FRAMEWORKS.join(", ")}, got ${JSON.stringify(framework)}`,
    );
  return {
    port: portOrUsage(values.port, "--port", CONSUMER_DEFAULT_PORT),
    dynamoDbEndpoint,
    framework: framework as ConsumerFramework,
    dataDir: dataDirOption(values["data-dir"], env),
    help,
  };
}
