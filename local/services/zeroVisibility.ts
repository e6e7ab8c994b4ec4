import type { SQSClient } from "@aws-sdk/client-sqs";

/**
 * fauxqs with a data directory loses a message whose visibility is changed to 0 s: its persistence writes NULL into
 * the NOT NULL receive count (`updateMessageReady`, fauxqs 2.4.1) after the message has left the in-flight set, so
 * the call answers 500 and the message is neither in flight nor ready any more (only its row on disk remains, until
 * a restart reloads it). The gateway asks for 0 s in two places: the delivery hastens a dead job to the DLQ
 * (`ChangeMessageVisibility`), and the sweeper's dead-letter pass hands back what it read
 * (`ChangeMessageVisibilityBatch`); the operator CLI gives back what `dlq list` read. Locally all get 1 s instead, which SQS and fauxqs treat alike except for that
 * second. `test/integration/local/zeroVisibility.test.ts` shows the loss without this and its absence with it.
 */
export function avoidZeroVisibility(sqs: SQSClient): void {
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "ChangeMessageVisibilityCommand") {
        const input = args.input as { VisibilityTimeout?: number };
        if (input.VisibilityTimeout !== 0) return next(args);
        return next({ ...args, input: { ...input, VisibilityTimeout: 1 } as typeof args.input });
      }
      if (context.commandName === "ChangeMessageVisibilityBatchCommand") {
        const input = args.input as { Entries?: { VisibilityTimeout?: number }[] };
        const Entries = input.Entries?.map((entry) =>
          entry.VisibilityTimeout === 0 ? { ...entry, VisibilityTimeout: 1 } : entry,
        );
        return next({ ...args, input: { ...input, Entries } as typeof args.input });
      }
      return next(args);
    },
    { step: "initialize", name: "avoidZeroVisibility" },
  );
}
