import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { pollOnce } from "./sqsEventSource.ts";

/** What {@link startDeliveryWorker} runs. */
export interface DeliveryWorkerOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** The delivery Lambda's handler. */
  handler: (event: SQSEvent) => Promise<unknown>;
  /** Batches handled at once, like the event source's concurrent pollers. @default {@link DEFAULT_POLLERS} */
  pollers?: number;
  /** @default 10 (the SQS event source's default batch size) */
  batchSize?: number;
  /** Long-poll wait. @default 5 */
  waitTimeSeconds?: number;
  /** Told about a poll that failed (SQS unreachable, or the handler threw); polling goes on. */
  onError?: (error: unknown) => void;
  /**
   * Asked before each poll: while it says true, the pollers receive nothing and ask again a second later, as a
   * disabled event source mapping does on AWS (`destinations pause`). @default never paused
   */
  paused?: () => Promise<boolean>;
}

/** A running worker. */
export interface DeliveryWorker {
  /** Stops polling, lets the batches in hand finish (at most `graceMs`), then resolves. */
  stop(graceMs?: number): Promise<void>;
}

/** Pollers of a destination whose configuration sets no `maxConcurrency`. */
export const DEFAULT_POLLERS = 3;
const PAUSE_AFTER_ERROR_MS = 1_000;
/** How long a paused destination's poller waits before it asks again. */
const PAUSED_RECHECK_MS = 1_000;

/**
 * Runs the delivery Lambda the way its SQS event source does: several pollers long-poll the queue, hand each batch
 * to the handler, delete only the records it did not report in `batchItemFailures`, and leave the others to their
 * visibility timeout (after which SQS delivers them again, or moves them to the dead-letter queue).
 */
export function startDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const abort = new AbortController();
  const pollers = Array.from({ length: options.pollers ?? DEFAULT_POLLERS }, () =>
    pollUntilStopped(options, abort.signal),
  );
  return {
    async stop(graceMs = 10_000) {
      abort.abort();
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(pollers), grace]);
      clearTimeout(timer);
    },
  };
}

async function pollUntilStopped(options: DeliveryWorkerOptions, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      if (options.paused !== undefined && (await options.paused())) {
        await delay(PAUSED_RECHECK_MS, signal);
        continue;
      }
      const result = await pollOnce({
        sqs: options.sqs,
        queueUrl: options.queueUrl,
        handler: options.handler,
        maxMessages: options.batchSize ?? 10,
        waitTimeSeconds: options.waitTimeSeconds ?? 5,
        abortSignal: signal,
      });
      if (result.error !== undefined) options.onError?.(result.error);
    } catch (error) {
      if (signal.aborted) return;
      options.onError?.(error);
      await new Promise((resolve) => setTimeout(resolve, PAUSE_AFTER_ERROR_MS));
    }
  }
}

/** Waits `ms`, or less when the worker is stopped meanwhile. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
