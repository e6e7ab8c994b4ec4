/**
 * The frame every benchmark script runs in: cleanups registered as services start (DynamoDB Local is a Java
 * child process that outlives a Node parent that forgets it), run on success, on failure and on Ctrl-C; and an
 * exit code that says whether the run's correctness invariants held.
 */

/** A benchmark that lost, duplicated or miscounted work: its numbers mean nothing, and it exits non-zero. */
export class InvariantError extends Error {
  override readonly name = "InvariantError";
}

/** Throws {@link InvariantError} with `message` unless `condition` holds. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

export interface BenchRun {
  /** Registers a cleanup; cleanups run last-registered first. */
  defer(cleanup: () => unknown): void;
}

const EXIT_FAILED = 1;
const EXIT_INTERRUPTED = 130;

/** Runs `main`, then every cleanup, then exits: 0, or 1 with the error (an {@link InvariantError} said plainly). */
export async function runBench(main: (run: BenchRun) => Promise<void>): Promise<never> {
  const cleanups: (() => unknown)[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanUp = () => {
    cleaning ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          console.error(`cleanup failed: ${(error as Error).message}`);
        }
      }
    })();
    return cleaning;
  };
  const interrupted = () => {
    console.error("\ninterrupted: stopping the services this run started");
    void cleanUp().then(() => process.exit(EXIT_INTERRUPTED));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  let exitCode = 0;
  try {
    await main({ defer: (cleanup) => cleanups.push(cleanup) });
  } catch (error) {
    exitCode = EXIT_FAILED;
    if (error instanceof InvariantError) console.error(`\nFAILED: correctness invariant broken: ${error.message}`);
    else console.error("\nFAILED:", error);
  }
  await cleanUp();
  // Explicit: a keep-alive socket or an emulator timer must not keep a finished benchmark alive.
  process.exit(exitCode);
}
