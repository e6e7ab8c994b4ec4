import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { InvalidConfigurationError } from "../lambdas/shared/errors.ts";
import { LOCAL_ENV } from "./localEnvironment.ts";

/** Where the local stack can be made to die, each at a moment that leaves work half done. */
export const CRASH_POINTS = [
  /**
   * The intake uploaded a large body to the body bucket (above the inline limit) but made no claim: only an
   * orphan object is left (the lifecycle rule deletes it), and the provider's retry uploads the same object again.
   */
  "intake:after-body-upload",
  /**
   * The intake stored the event's state (RECEIVED) but not its body, and answered nothing: the provider's retry
   * must store the body from its own bytes, and the event be enqueued (by that retry or the sweeper).
   */
  "intake:after-state-put",
  /** The intake stored the event (RECEIVED) but enqueued nothing: the sweeper or a provider retry must enqueue it. */
  "intake:after-put",
  /** The jobs are on the queue but the event is still RECEIVED. */
  "intake:after-enqueue",
  /** The destination answered, but the attempt was never recorded: the job is delivered again. */
  "delivery:after-post",
  /** The demo consumer sent its receipt (a non-transactional effect) and then died before completing. */
  "consumer:after-effect",
  /** The completion transaction (with the charge) committed, and the process died before answering. */
  "consumer:after-commit",
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Calls a crash point: the process dies there the first time, if that point is armed. */
export type CrashAt = (point: CrashPoint) => void;

/** Exit status a shell reports for a process killed by SIGKILL (128 + 9). */
export const CRASH_EXIT_CODE = 137;

/**
 * The armed point: `ONCEGATE_CRASH_AT`, or `consumer:after-effect` when `CRASH_ONCE=true`.
 * @throws InvalidConfigurationError listing the valid points when the name is not one of them
 */
export function crashPointFromEnvironment(env: Readonly<Record<string, string | undefined>>): CrashPoint | undefined {
  const named = env[LOCAL_ENV.crashAt]?.trim();
  if (named !== undefined && named !== "") {
    if (!(CRASH_POINTS as readonly string[]).includes(named)) {
      throw new InvalidConfigurationError(
        LOCAL_ENV.crashAt,
        `unknown crash point ${JSON.stringify(named)}; valid points: ${CRASH_POINTS.join(", ")}`,
      );
    }
    return named as CrashPoint;
  }
  return env[LOCAL_ENV.crashOnce]?.trim().toLowerCase() === "true" ? "consumer:after-effect" : undefined;
}

/** The points a consumer process reaches on its own (`npm run consumer`): the others are the gateway's. */
export const CONSUMER_CRASH_POINTS: readonly CrashPoint[] = CRASH_POINTS.filter((point) =>
  point.startsWith("consumer:"),
);

/**
 * The point armed for a consumer process (`ONCEGATE_CRASH_AT`, `CRASH_ONCE`), which reaches only the consumer's.
 * @throws InvalidConfigurationError for a gateway point, or an unknown one
 */
export function consumerCrashPoint(env: Readonly<Record<string, string | undefined>>): CrashPoint | undefined {
  const point = crashPointFromEnvironment(env);
  if (point === undefined || CONSUMER_CRASH_POINTS.includes(point)) return point;
  throw new InvalidConfigurationError(
    LOCAL_ENV.crashAt,
    `${point} is the gateway's (arm it on npm start); the consumer reaches ${CONSUMER_CRASH_POINTS.join(" and ")}`,
  );
}

/** The line a process prints at start when a point is armed. */
export function crashNotice(point: CrashPoint, alreadyFired: boolean): string {
  return alreadyFired
    ? `crash point ${point} already fired on this data directory: not crashing again`
    : `crash point ${point} armed: the process dies the first time it gets there`;
}

/** The marker that says a point has fired: `<dataDir>/crash-fired/<point>` (the colon becomes `_`). */
export function crashMarkerPath(dataDir: string, point: CrashPoint): string {
  return join(dataDir, "crash-fired", point.replace(":", "_"));
}

/** True when `point` fired in an earlier run on this data directory: it will not fire again. */
export function crashAlreadyFired(dataDir: string, point: CrashPoint): boolean {
  return existsSync(crashMarkerPath(dataDir, point));
}

/**
 * The crash switch of one run. When `armed` is reached and has not fired before on this data directory, it writes
 * the marker (fsynced, so a restart knows), says so on stderr, and kills the process with SIGKILL: no `finally`, no
 * shutdown hook, no flush of anything else runs, as when a machine loses power. Other points cost nothing.
 */
export function crashSwitch(armed: CrashPoint | undefined, dataDir: string): CrashAt {
  let pending = armed !== undefined && !crashAlreadyFired(dataDir, armed);
  return (point) => {
    if (!pending || point !== armed) return;
    pending = false;
    const marker = crashMarkerPath(dataDir, point);
    mkdirSync(join(dataDir, "crash-fired"), { recursive: true });
    const file = openSync(marker, "w");
    writeSync(file, `${new Date().toISOString()} pid ${process.pid}\n`);
    fsyncSync(file);
    closeSync(file);
    syncDirectory(join(dataDir, "crash-fired"));
    // writeSync on fd 2: process.stderr may be asynchronous (a pipe), and nothing after SIGKILL gets flushed.
    writeSync(2, `oncegate: crash point ${point} reached: killing the process (SIGKILL), as if the power went out\n`);
    process.kill(process.pid, "SIGKILL");
  };
}

// A new file's directory entry is durable only once its directory is synced too.
function syncDirectory(path: string): void {
  try {
    const directory = openSync(path, "r");
    fsyncSync(directory);
    closeSync(directory);
  } catch {
    // Some platforms cannot fsync a directory; the file itself is synced.
  }
}
