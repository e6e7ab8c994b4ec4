import { expect } from "@jest/globals";
import type { DeadLetterCounts } from "../../lambdas/sweeper/deadLetterPass.ts";
import type { SweepResult } from "../../lambdas/sweeper/handler.ts";

/** What a sweep that found nothing returns, with `deadLetters` as given; any watermark. Override what it did. */
export function nothingSwept(deadLetters: DeadLetterCounts, did: Partial<SweepResult> = {}): SweepResult {
  return {
    examined: 0,
    found: 0,
    requeued: 0,
    skipped: 0,
    bodyMissing: 0,
    failed: 0,
    watermarkMs: expect.any(Number) as unknown as number,
    deadLetters,
    ...did,
  };
}
