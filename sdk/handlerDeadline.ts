/**
 * A run's deadline outside Lambda (`timeoutSeconds`): the handler's `AbortSignal` fires at it, and the SDK stops
 * waiting for the run. JavaScript cannot stop a promise: a run that ignores the signal goes on in the background,
 * but its `db` is closed and its record left IN_PROGRESS, so nothing it does after the deadline is committed.
 */

/** How waiting for a run ended. */
export type DeadlineRace<T> = { timedOut: false; value: T } | { timedOut: true; reason: unknown };

export interface HandlerDeadline {
  /** Given to the handler: aborted at the deadline, never without one. */
  signal: AbortSignal;
  /** Waits for `run`, or for the deadline, whichever comes first; the timer is cleared either way. */
  race<T>(run: Promise<T>): Promise<DeadlineRace<T>>;
}

/**
 * The deadline of a run whose claim started at `startedMs` (`Date.now()`), or none. `beforeAbort` runs at the
 * deadline before the signal fires: a handler woken by the signal finds its `db` already closed.
 */
export function handlerDeadline(
  timeoutSeconds: number | undefined,
  startedMs: number,
  beforeAbort: () => void,
): HandlerDeadline {
  const controller = new AbortController();
  const { signal } = controller;
  if (timeoutSeconds === undefined) {
    return { signal, race: async (run) => ({ timedOut: false, value: await run }) };
  }
  return {
    signal,
    async race(run) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<DeadlineRace<never>>((resolve) => {
        timer = setTimeout(
          () => {
            beforeAbort();
            // The same reason AbortSignal.timeout() gives, so `signal.reason.name === "TimeoutError"` reads alike.
            controller.abort(
              new DOMException(`the handler's deadline (timeoutSeconds: ${timeoutSeconds}) passed`, "TimeoutError"),
            );
            resolve({ timedOut: true, reason: signal.reason });
          },
          Math.max(0, startedMs + timeoutSeconds * 1000 - Date.now()),
        );
      });
      try {
        const outcome = await Promise.race([run.then((value) => ({ timedOut: false as const, value })), deadline]);
        // A run left behind may still throw: nobody awaits it any more, so its rejection must not crash the process.
        if (outcome.timedOut) run.catch(() => {});
        return outcome;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
