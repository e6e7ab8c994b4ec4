import { setTimeout as sleep } from "node:timers/promises";
import { postWebhook } from "../../local/chaosStorm.ts";
import type { AnswerLedger } from "./answerLedger.ts";

/**
 * Sends every event not yet answered 2xx again, as a provider retries, `rounds` times `pauseMs` apart, at most
 * `concurrency` in flight. Returns the events still unanswered.
 */
export async function retryUnanswered(
  baseUrl: string,
  ledger: AnswerLedger,
  options: { rounds: number; pauseMs: number; concurrency: number },
): Promise<number> {
  for (let round = 0; round < options.rounds; round++) {
    const pending = ledger.unanswered();
    if (pending.length === 0) return 0;
    await sleep(options.pauseMs);
    let next = 0;
    const sender = async () => {
      while (next < pending.length) {
        const webhook = pending[next++];
        if (webhook === undefined) return;
        const sentMs = performance.now();
        const outcome = await postWebhook(baseUrl, webhook);
        ledger.record({ eventId: webhook.eventId, outcome, latencyMs: performance.now() - sentMs });
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, pending.length) }, sender));
  }
  return ledger.unanswered().length;
}
