/**
 * How a local command (`npm start`, `npm run consumer`) ends on Ctrl-C (SIGINT), SIGTERM or SIGHUP: the first
 * signal stops what it started and exits 0 (1 if stopping failed); a second one exits 1 at once, for a stop that
 * hangs. A signal that arrives while the command is still starting exits 1 at once: there is nothing to stop yet.
 */

const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export interface SignalShutdown {
  /** What stops the command, or `undefined` while it is still starting. */
  stopper(): (() => Promise<void>) | undefined;
  /** A progress line (`SIGTERM: stopping…`). */
  progress(message: string): void;
  /** A problem line on stderr. */
  problem(message: string): void;
  /** Printed on stdout once stopped, e.g. `oncegate: stopped`. */
  stoppedLine: string;
}

/** Installs the handlers. */
export function stopOnSignals(shutdown: SignalShutdown): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      shutdown.problem(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    const stop = shutdown.stopper();
    if (stop === undefined) {
      shutdown.progress(`${signal} while starting: exiting`);
      process.exit(1);
    }
    shutdown.progress(`${signal}: stopping…`);
    stop().then(
      () => {
        process.stdout.write(`${shutdown.stoppedLine}\n`);
        process.exit(0);
      },
      (error: unknown) => {
        shutdown.problem(`stopping failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
}
