import { existsSync, readFileSync } from "node:fs";

/**
 * The causes the intake logs behind a 503 when a call simply took too long: an attempt past the client's request
 * timeout (`TimeoutError`, also under `enqueue_failed`), or the request's own deadline (`deadline_exceeded`, and
 * `AbortError` for a call its abort signal stopped: only the deadline aborts a call). A starved machine (CI runs the
 * reliability matrix beside the rest of the test suite, on two cores) produces these without any fault: the sender
 * retries them, as every provider does. Any other cause in a run without injected faults is a bug.
 */
const SLOW_CALL_CAUSES = new Set(["TimeoutError", "deadline_exceeded", "AbortError", "RequestTimeout", "ETIMEDOUT"]);

/** The intake's 503s in a stack's log, for event ids starting with `eventIdPrefix`, counted by cause. */
export interface UnavailableCauses {
  /** `error` or `error<errorCause` as logged, e.g. `enqueue_failed<TimeoutError`, with its count. */
  byCause: Record<string, number>;
  /** How many had a cause other than a slow call. */
  unexplained: number;
}

interface IntakeLine {
  source?: string;
  msg?: string;
  status?: number;
  eventId?: string;
  error?: string;
  errorCause?: string;
}

/** Reads `logFile` (the stack's JSON lines; absent counts as empty). */
export function unavailableCauses(logFile: string, eventIdPrefix: string): UnavailableCauses {
  const text = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
  const lines = text.split("\n").filter((line) => line.startsWith("{"));
  return countCauses(lines.map((line) => JSON.parse(line) as IntakeLine).filter(isUnavailable(eventIdPrefix)));
}

function isUnavailable(prefix: string) {
  return (line: IntakeLine) =>
    line.source === "intake" &&
    line.msg === "oncegate.intake" &&
    line.status === 503 &&
    (line.eventId ?? "").includes(prefix);
}

/** Pure: the lines' causes counted, and which of them a slow call does not explain. */
export function countCauses(lines: readonly Pick<IntakeLine, "error" | "errorCause">[]): UnavailableCauses {
  const byCause: Record<string, number> = {};
  let unexplained = 0;
  for (const line of lines) {
    const error = line.error ?? "unknown";
    const label = line.errorCause === undefined ? error : `${error}<${line.errorCause}`;
    byCause[label] = (byCause[label] ?? 0) + 1;
    if (!SLOW_CALL_CAUSES.has(error) && !SLOW_CALL_CAUSES.has(line.errorCause ?? "")) unexplained += 1;
  }
  return { byCause, unexplained };
}
