import { parseArgs } from "node:util";
import { UsageError } from "./cliUsage.ts";
import { portOrUsage } from "./startOptions.ts";

/** What `npm run consumer` was asked for. */
export interface ConsumerOptions {
  port: number;
  /** DynamoDB Local of a running stack, e.g. `http://127.0.0.1:40123`. */
  dynamoDbEndpoint: string;
  help: boolean;
}

/** Port of the demo consumer on its own: next to the stack's 4000. */
export const CONSUMER_DEFAULT_PORT = 4001;

export const CONSUMER_USAGE = `usage: npm run consumer -- --dynamodb <endpoint> [--port <port>]

  --dynamodb <endpoint>  the DynamoDB Local of a running stack (its ready message prints it): the demo tables are there
  --port <port>          port on 127.0.0.1 (default ${CONSUMER_DEFAULT_PORT}; 0 picks a free one)

Serves POST /consumer/demo. Point the stack at it with ONCEGATE_DESTINATIONS=http://127.0.0.1:<port>/consumer/demo;
ONCEGATE_SIGNING_SECRET must be the stack's (both use the same local default when unset).`;

/**
 * Reads the flags.
 * @throws UsageError for an unknown flag, a bad port, or no `--dynamodb`
 */
export function parseConsumerOptions(argv: string[]): ConsumerOptions {
  let values: { port?: string; dynamodb?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: "string" }, dynamodb: { type: "string" }, help: { type: "boolean", short: "h" } },
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
  return { port: portOrUsage(values.port, "--port", CONSUMER_DEFAULT_PORT), dynamoDbEndpoint, help };
}
