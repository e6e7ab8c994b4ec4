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
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReceiptHandle?: string; VisibilityTimeout?: number };
      if (context.commandName === "ReceiveMessageCommand") {
        const out = await next(args);
        const messages = (out.output as { Messages?: Array<{ ReceiptHandle?: string }> }).Messages ?? [];
        for (const message of messages) {
          if (message.ReceiptHandle !== undefined) receivedAtMs.set(message.ReceiptHandle, clock.nowMs());
        }
        return out;
      }
      if (context.commandName !== "ChangeMessageVisibilityCommand") return next(args);
      const receiptHandle = input.ReceiptHandle ?? "";
      const seconds = Number(input.VisibilityTimeout);
      const nowMs = clock.nowMs();
      const received = receivedAtMs.get(receiptHandle) ?? nowMs;
      let reason: string | undefined;
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200) {
        reason = `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: must be between 0 and 43200.`;
      } else if (nowMs + seconds * 1000 > received + 43_200_000) {
        reason = `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]`;
      }
      if (reason !== undefined) {
        rules.refused.push({ receiptHandle, seconds, reason });
        throw Object.assign(new Error(reason), {
          name: "InvalidParameterValue",
          $fault: "client",
          $metadata: { httpStatusCode: 400 },
        });
      }
      rules.accepted.push({ receiptHandle, seconds });
      if (!options.fastForward) return next(args);
      return next({ ...args, input: { ...args.input, VisibilityTimeout: 0 } });
    },
    { step: "initialize", name: "sqsVisibilityRules" },
  );
  return rules;
}

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
