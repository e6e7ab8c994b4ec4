/**
 * Local timings that make a harness run finish in minutes: 4 attempts 1 s apart, a 2 s request timeout (so a job
 * left in flight by a crash is visible again 5 s later), and a sweeper that runs every second for events RECEIVED
 * over 1 s. The guarantees do not depend on the timings; only how long settling takes does.
 */
export const FAST_TIMINGS = {
  ONCEGATE_RETRY_SCHEDULE: "1,1,1",
  ONCEGATE_DESTINATION_TIMEOUT_MS: "2000",
  ONCEGATE_SWEEP_INTERVAL_SECONDS: "1",
  ONCEGATE_SWEEP_AFTER_SECONDS: "1",
} as const;

/** How long a scenario waits for delivery to settle before it counts what is still pending as lost. */
export const SETTLE_TIMEOUT_MS = 120_000;
