import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * Counts the API calls a client makes, by command name, with an AWS SDK middleware: exact, not
 * timed. Added at the `deserialize` step, after the retry middleware, so a retried call counts twice.
 */
export function countRequests(client: DynamoDBClient) {
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: "deserialize", name: `oncegateRequestCounter${Math.random()}` },
  );
  return {
    calls,
    take(): string[] {
      return calls.splice(0, calls.length);
    },
  };
}
