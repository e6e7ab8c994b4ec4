import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { DESTINATION_CONTROL_PK_PREFIX } from "../lambdas/shared/destinationControl.ts";

/** An AWS SDK v3 client whose calls can be counted. */
export type CountableClient = DynamoDBClient | SQSClient | S3Client;

export interface RequestCounter {
  /** Command names in call order, e.g. `PutItemCommand`, since the last {@link RequestCounter.take}. */
  readonly calls: string[];
  /** Returns the calls counted so far and starts counting afresh. */
  take(): string[];
}

let counters = 0;

/**
 * Counts the API calls a client makes, by command name, with an AWS SDK middleware: exact, not timed. Added at
 * the `deserialize` step, after the retry middleware, so a retried call counts twice (it is billed twice).
 */
export function countRequests(client: CountableClient): RequestCounter {
  const calls: string[] = [];
  (client as DynamoDBClient).middlewareStack.add(
    (next, context) => async (args) => {
      // The destinations' control items (pause, breaker) are read once a second per container, not per event: the
      // cost model prices them apart (`CONTROL_READ_UNITS_PER_JOB`), and `consumedCapacity` tallies them apart.
      const key = (args.input as { Key?: { pk?: { S?: string } } } | undefined)?.Key?.pk?.S ?? "";
      if (!key.startsWith(DESTINATION_CONTROL_PK_PREFIX)) calls.push(String(context.commandName));
      return next(args);
    },
    { step: "deserialize", name: `oncegateRequestCounter${counters++}` },
  );
  return {
    calls,
    take: () => calls.splice(0, calls.length),
  };
}

/** `["PutItemCommand", "PutItemCommand", "UpdateItemCommand"]` → `{ PutItem: 2, UpdateItem: 1 }`. */
export function tallyCalls(calls: readonly string[]): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const call of calls) {
    const name = call.replace(/Command$/, "");
    tally[name] = (tally[name] ?? 0) + 1;
  }
  return tally;
}

/** Requests per unit of work, by API and in total: the tally divided by `units`. */
export interface RequestsPerUnit {
  total: number;
  byApi: Record<string, number>;
}

export function requestsPerUnit(calls: readonly string[], units: number): RequestsPerUnit {
  const byApi = Object.fromEntries(Object.entries(tallyCalls(calls)).map(([api, count]) => [api, count / units]));
  return { total: calls.length / units, byApi };
}

/** `{ PutItem: 1, UpdateItem: 1 }` → "PutItem + UpdateItem"; fractional counts keep their number. */
export function describeRequests(perUnit: RequestsPerUnit): string {
  const parts = Object.entries(perUnit.byApi).map(([api, count]) =>
    count === 1 ? api : `${Math.round(count * 100) / 100}× ${api}`,
  );
  return parts.length === 0 ? "none" : parts.join(" + ");
}
