/** A running schedule. */
export interface SweepSchedule {
  /** No new run starts; resolves once the run in progress (if any) is over. */
  stop(): Promise<void>;
}

/**
 * Runs the sweeper as EventBridge would, every `intervalSeconds`, and once at start: after a crash, an event left
 * RECEIVED is requeued as soon as it is old enough rather than a whole interval later. Runs never overlap.
 */
export function scheduleSweeps(
  sweep: () => Promise<unknown>,
  intervalSeconds: number,
  onError: (error: unknown) => void,
): SweepSchedule {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  function run(): void {
    running = sweep()
      .then(
        () => {},
        (error: unknown) => onError(error),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(run, intervalSeconds * 1000);
      });
  }

  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
