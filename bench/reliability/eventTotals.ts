import type { EventAccount } from "./eventAccounting.ts";

/** Sums of several trials' accounts, for one row. */
export function emptyAccount(): EventAccount {
  return {
    accepted: 0,
    delivered: 0,
    failed: 0,
    dead: 0,
    reasons: {},
    handlerRuns: 0,
    charges: 0,
    receipts: 0,
    lost: 0,
    duplicated: 0,
    lostExamples: [],
  };
}

export function addAccount(total: EventAccount, one: EventAccount): void {
  for (const name of [
    "accepted",
    "delivered",
    "failed",
    "dead",
    "handlerRuns",
    "charges",
    "receipts",
    "lost",
    "duplicated",
  ] as const)
    total[name] += one[name];
  for (const [reason, count] of Object.entries(one.reasons))
    total.reasons[reason] = (total.reasons[reason] ?? 0) + count;
  total.lostExamples.push(...one.lostExamples.slice(0, 10 - total.lostExamples.length));
}
