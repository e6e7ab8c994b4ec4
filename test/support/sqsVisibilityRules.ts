import type { SQSClient } from "@aws-sdk/client-sqs";

/**
 * Makes an SQS client refuse exactly the `ChangeMessageVisibility` calls real SQS refuses, which fauxqs accepts
 * (TOOLCHAIN.md, fidelity gaps). From the Amazon SQS API Reference, ChangeMessageVisibility
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html):
 *
 *   "VisibilityTimeout — The new value for the message's visibility timeout (in seconds). Values range: 0 to
 *    43200. Maximum: 12 hours."
 *   "You can continue to call ChangeMessageVisibility to extend the visibility timeout to the maximum allowed
 *    time. If you try to extend the visibility timeout beyond the maximum, your request is rejected."
 *   (the SDK's copy of the same page:) "The maximum allowed timeout value you can set the value to is 12 hours.
 *    This means you can't extend the timeout of a message in an existing queue to more than a total visibility
 *    timeout of 12 hours." — the 12 hours are counted from the receive, not from the call.
 *
 * So a call is refused when its value is outside 0–43 200, or when `now + value` ends more than 43 200 s after the
 * message was received. The receive time is taken, on `clock`, when this client's ReceiveMessage returns the
 * message; a receipt handle this client never received is taken as received now (a test's hand-made SQS event).
 * The same rule holds for each entry of a `ChangeMessageVisibilityBatch` (a refused entry comes back in `Failed`,
 * as SQS reports it, and the others go through), and the value range for ReceiveMessage's own `VisibilityTimeout`
 * (API_ReceiveMessage.html: "The duration (in seconds) that the received messages are hidden from subsequent
 * retrieve requests", the same 0–43 200 s as the queue's attribute).
 *
 * With `fastForward`, an accepted call is recorded and forwarded as 0 s, so a test does not wait out the delay:
 * it advances `clock` instead.
 */
export interface VisibilityRules {
  /** Every accepted call, in order. */
  accepted: Array<{ receiptHandle: string; seconds: number }>;
  /** Every refused call, with SQS's reason. */
  refused: Array<{ receiptHandle: string; seconds: number; reason: string }>;
}

export function enforceVisibilityRules(
  sqs: SQSClient,
  clock: { nowMs(): number },
  options: { fastForward?: boolean } = {},
): VisibilityRules {
  const receivedAtMs = new Map<string, number>();
  const rules: VisibilityRules = { accepted: [], refused: [] };
  /** SQS's reason for refusing to hide the message of `receiptHandle` for `seconds` now, if it would. */
  function refusal(receiptHandle: string | undefined, seconds: number): string | undefined {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200) {
      return `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: must be between 0 and 43200.`;
    }
    if (receiptHandle === undefined) return undefined;
    const nowMs = clock.nowMs();
    if (nowMs + seconds * 1000 > (receivedAtMs.get(receiptHandle) ?? nowMs) + 43_200_000) {
      return `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]`;
    }
    return undefined;
  }
  const invalidParameter = (reason: string) =>
    Object.assign(new Error(reason), {
      name: "InvalidParameterValue",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
    });

  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReceiptHandle?: string; VisibilityTimeout?: number; Entries?: BatchEntry[] };
      if (context.commandName === "ReceiveMessageCommand") {
        const reason = input.VisibilityTimeout === undefined ? undefined : refusal(undefined, input.VisibilityTimeout);
        if (reason !== undefined) throw invalidParameter(reason);
        const out = await next(args);
        const messages = (out.output as { Messages?: Array<{ ReceiptHandle?: string }> }).Messages ?? [];
        for (const message of messages) {
          if (message.ReceiptHandle !== undefined) receivedAtMs.set(message.ReceiptHandle, clock.nowMs());
        }
        return out;
      }
      if (context.commandName === "ChangeMessageVisibilityBatchCommand") {
        const failed: Array<{ Id: string; Code: string; Message: string; SenderFault: boolean }> = [];
        const forwarded: BatchEntry[] = [];
        for (const entry of input.Entries ?? []) {
          const receiptHandle = entry.ReceiptHandle ?? "";
          const seconds = Number(entry.VisibilityTimeout ?? 0);
          const reason = refusal(receiptHandle, seconds);
          if (reason === undefined) {
            rules.accepted.push({ receiptHandle, seconds });
            forwarded.push(options.fastForward ? { ...entry, VisibilityTimeout: 0 } : entry);
          } else {
            rules.refused.push({ receiptHandle, seconds, reason });
            failed.push({ Id: entry.Id ?? "", Code: "InvalidParameterValue", Message: reason, SenderFault: true });
          }
        }
        // Typed loosely, like the other branches' inputs: this middleware sits on every command of the client.
        const refusedOnly = { Successful: [], Failed: failed, $metadata: {} } as never;
        if (forwarded.length === 0) return { output: refusedOnly, response: {} };
        const out = await next({ ...args, input: { ...args.input, Entries: forwarded } as never });
        const output = out.output as { Failed?: unknown[] };
        return { ...out, output: { ...output, Failed: [...(output.Failed ?? []), ...failed] } as never };
      }
      if (context.commandName !== "ChangeMessageVisibilityCommand") return next(args);
      const receiptHandle = input.ReceiptHandle ?? "";
      const seconds = Number(input.VisibilityTimeout);
      const reason = refusal(receiptHandle, seconds);
      if (reason !== undefined) {
        rules.refused.push({ receiptHandle, seconds, reason });
        throw invalidParameter(reason);
      }
      rules.accepted.push({ receiptHandle, seconds });
      if (!options.fastForward) return next(args);
      return next({ ...args, input: { ...args.input, VisibilityTimeout: 0 } });
    },
    { step: "initialize", name: "sqsVisibilityRules" },
  );
  return rules;
}

type BatchEntry = { Id?: string; ReceiptHandle?: string; VisibilityTimeout?: number };

/** A clock a test moves by hand: starts at `startMs`, and real time passes on it too (calls take time). */
export function manualClock(startMs: number) {
  const realStart = performance.now();
  let offsetMs = 0;
  return {
    nowMs: () => startMs + offsetMs + Math.round(performance.now() - realStart),
    advance(ms: number) {
      offsetMs += ms;
    },
  };
}
