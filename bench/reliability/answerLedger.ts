import type { StormAnswer } from "../../local/chaosStorm.ts";
import type { ChaosWebhook } from "../../local/chaosWebhooks.ts";
import type { AcceptedEvent } from "./eventAccounting.ts";

/**
 * Remembers which events got a 2xx. Event ids are unique across providers within a run (the harness names them),
 * so the storm's `eventId` is enough to find the webhook again.
 */
export class AnswerLedger {
  readonly #webhooks = new Map<string, ChaosWebhook>();
  readonly #answered2xx = new Set<string>();
  requests = 0;
  readonly outcomes: Record<string, number> = {};

  constructor(webhooks: readonly ChaosWebhook[]) {
    this.add(webhooks);
  }

  /** More events to track (a storm signed in chunks). */
  add(webhooks: readonly ChaosWebhook[]): void {
    for (const webhook of webhooks) this.#webhooks.set(webhook.eventId, webhook);
  }

  /** Pass as `fireStorm`'s `onAnswer`. */
  readonly record = (answer: StormAnswer): void => {
    this.requests += 1;
    this.outcomes[answer.outcome] = (this.outcomes[answer.outcome] ?? 0) + 1;
    if (answer.outcome === "accepted" || answer.outcome === "duplicate" || /^2\d\d$/.test(answer.outcome))
      this.#answered2xx.add(answer.eventId);
  };

  /** The events a provider would still retry: never answered 2xx. */
  unanswered(): ChaosWebhook[] {
    return [...this.#webhooks.values()].filter((webhook) => !this.#answered2xx.has(webhook.eventId));
  }

  accepted(): AcceptedEvent[] {
    return [...this.#answered2xx].map((eventId) => ({
      provider: (this.#webhooks.get(eventId) as ChaosWebhook).provider,
      eventId,
    }));
  }
}
