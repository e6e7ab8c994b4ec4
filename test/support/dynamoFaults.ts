import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";

/**
 * Faults DynamoDB really produces, injected below the AWS SDK's retry middleware (finalizeRequest, low priority):
 * each SDK attempt passes through here, so a lost answer is followed by the SDK's own retry, which then meets the
 * write it already applied — exactly what happens when a response is lost on the wire.
 * - `lost_answer`: the write is applied, then the call fails with a TimeoutError (the SDK retries it).
 * - `hang`: the call never answers within the client's limit; applied or not, at random (seeded).
 * - `throttle`: ThrottlingException, nothing applied (the SDK retries it).
 * - `server_error`: a 500, after the write was applied or not (the SDK retries it).
 * - `conflict`: TransactionCanceledException with a TransactionConflict reason, nothing applied (TransactWriteItems
 *   only; the SDK does not retry it).
 */
export type FaultKind = "lost_answer" | "hang" | "throttle" | "server_error" | "conflict";

/** Faults whose outcome the caller cannot know (the write may have been applied). */
export const UNKNOWN_OUTCOME_FAULTS: ReadonlySet<FaultKind> = new Set(["lost_answer", "hang", "server_error"]);

export interface DynamoCall {
  commandName: string;
  /** The idempotency record id (`id` attribute) the call touches, if any. */
  recordId: string | undefined;
  input: Record<string, unknown>;
}

export interface InjectedFault {
  kind: FaultKind;
  call: DynamoCall;
  applied: boolean;
}

export type FaultPlan = (call: DynamoCall) => FaultKind | undefined;

function recordIdOf(commandName: string, input: Record<string, unknown>): string | undefined {
  const key = (input.Item ?? input.Key) as { id?: { S?: string } } | undefined;
  if (key?.id?.S) return key.id.S;
  if (commandName === "TransactWriteItemsCommand") {
    const items = input.TransactItems as { Update?: { Key?: { id?: { S?: string } } } }[];
    return items?.[items.length - 1]?.Update?.Key?.id?.S;
  }
  return undefined;
}

function faultError(kind: FaultKind, items: number): Error {
  if (kind === "throttle") {
    return Object.assign(new Error("Rate of requests exceeds the allowed throughput."), {
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 400 },
    });
  }
  if (kind === "server_error") {
    return Object.assign(new Error("Internal server error"), {
      name: "InternalServerError",
      $metadata: { httpStatusCode: 500 },
    });
  }
  if (kind === "conflict") {
    const reasons = Array.from({ length: items }, (_, i) =>
      i === items - 1
        ? { Code: "TransactionConflict", Message: "Transaction is ongoing for the item" }
        : { Code: "None" },
    );
    return Object.assign(new Error("Transaction cancelled, please refer cancellation reasons for specific reasons"), {
      name: "TransactionCanceledException",
      $metadata: { httpStatusCode: 400 },
      CancellationReasons: reasons,
    });
  }
  return Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
}

/**
 * A DynamoDB Local client with `plan` deciding a fault for each attempt. Retries without delay keep tests fast;
 * 3 attempts as the SDK's standard mode.
 */
export function faultyClient(plan: FaultPlan, random: () => number = Math.random) {
  const injected: InjectedFault[] = [];
  const client = new DynamoDBClient({ retryStrategy: new ConfiguredRetryStrategy(3, () => 0) });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = (args as unknown as { input: Record<string, unknown> }).input;
      const commandName = context.commandName ?? "";
      const call = { commandName, recordId: recordIdOf(commandName, input), input };
      const kind = plan(call);
      if (!kind) return next(args);
      if (kind === "conflict" && commandName !== "TransactWriteItemsCommand") return next(args);
      const applies = kind === "lost_answer" || ((kind === "hang" || kind === "server_error") && random() < 0.5);
      if (applies) await next(args);
      injected.push({ kind, call, applied: applies });
      const items = (input.TransactItems as unknown[] | undefined)?.length ?? 1;
      throw faultError(kind, items);
    },
    { step: "finalizeRequest", priority: "low", name: "oncegateFaultInjection" },
  );
  return { client, injected };
}

/** A plan that faults the calls `match` selects, `times` times (then lets them through). */
export function faultTimes(kind: FaultKind, times: number, match: (call: DynamoCall) => boolean): FaultPlan {
  let left = times;
  return (call) => {
    if (left <= 0 || !match(call)) return undefined;
    left -= 1;
    return kind;
  };
}
