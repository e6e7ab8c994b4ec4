import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname, join } from "node:path";
import type { Clock } from "../lambdas/shared/clock.ts";
import type { Logger } from "../lambdas/shared/logger.ts";

/** Where `npm start` writes every Lambda's JSON log lines: `<data dir>/logs/oncegate.log`. */
export function stackLogFile(dataDir: string): string {
  return join(dataDir, "logs", "oncegate.log");
}

/** Which part of the stack wrote a Lambda log line. */
export type LogSource = "intake" | "delivery" | "sweeper" | "consumer";

/**
 * The stack's output: progress lines for a human on stdout, and every Lambda's JSON log lines in a file. Only the
 * lines that tell a story are echoed as activity lines: duplicates and skipped jobs are counted by `/stats`.
 */
export interface StackLog {
  /** `oncegate: <message>` on stdout. */
  progress(message: string): void;
  /** `oncegate: <message>` on stderr. */
  problem(message: string): void;
  /** A Lambda's logger: the JSON line goes to the file, and a short activity line to stdout when it matters. */
  lambda(source: LogSource): Logger;
  close(): Promise<void>;
}

export interface StackLogOptions {
  /** Where the JSON lines go (created on the first one); nowhere when omitted. */
  logFile?: string;
  /** @default process.stdout.write */
  write?: (text: string) => void;
  /** @default process.stderr.write */
  writeProblem?: (text: string) => void;
  clock: Clock;
}

export function createStackLog(options: StackLogOptions): StackLog {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const writeProblem = options.writeProblem ?? ((text: string) => process.stderr.write(text));
  let file: WriteStream | undefined;
  // Opened on the first Lambda line, never before: the data directory is not ours until the stack has claimed it.
  const logFile = () => {
    if (file === undefined && options.logFile !== undefined) {
      mkdirSync(dirname(options.logFile), { recursive: true });
      file = createWriteStream(options.logFile, { flags: "a" });
    }
    return file;
  };
  return {
    progress: (message) => write(`oncegate: ${message}\n`),
    problem: (message) => writeProblem(`oncegate: ${message}\n`),
    lambda: (source) => (line) => {
      const time = new Date(options.clock.nowMs()).toISOString();
      logFile()?.write(`${JSON.stringify({ time, source, ...line })}\n`);
      const summary = activityLine(source, line);
      if (summary !== undefined) write(`${time.slice(11, 19)} ${source.padEnd(8)} ${summary}\n`);
    },
    close: () => new Promise<void>((resolve) => (file === undefined ? resolve() : file.end(() => resolve()))),
  };
}

/** The short line a log line deserves on the console, or `undefined` for routine ones. */
export function activityLine(source: LogSource, line: Record<string, unknown>): string | undefined {
  const text = (value: unknown) => (value === undefined ? "" : String(value));
  switch (source) {
    case "intake": {
      if (line.outcome === "duplicate") return undefined;
      const what = `${text(line.provider)} ${text(line.eventId)}`.trim();
      const error = line.error === undefined ? "" : ` ${text(line.error)}`;
      return `${what || "request"}: ${text(line.outcome)} (${text(line.status)}${error})`;
    }
    case "delivery": {
      if (line.outcome === "skipped") return undefined;
      const target = `${text(line.pk)} → ${text(line.destination)}`;
      const why = [line.reason ?? line.statusCode, line.error].filter((part) => part !== undefined).join(", ");
      const delay = line.delaySeconds === undefined ? "" : ` in ${text(line.delaySeconds)} s`;
      const attempt =
        line.attempt === undefined ? `receive ${text(line.receiveCount)}` : `attempt ${text(line.attempt)}`;
      return `${target}: ${text(line.outcome)}${delay} (${attempt}${why ? `, ${why}` : ""})`;
    }
    case "sweeper":
      return line.msg === "oncegate.sweeper"
        ? sweepSummary(line)
        : `${text(line.msg)} ${text(line.pk)} ${text(line.error)}`.trim();
    case "consumer": {
      const error = line.error === undefined || line.error === line.outcome ? "" : ` (${text(line.error)})`;
      return `${text(line.key)}: ${text(line.outcome)}${error}`;
    }
  }
}

/** A run's summary, or `undefined` for a routine one: nothing abandoned, no dead job marked or failed. */
function sweepSummary(line: Record<string, unknown>): string | undefined {
  const dead = (line.deadLetters ?? {}) as Partial<Record<"marked" | "failed", number>>;
  const deadLetters = (dead.marked ?? 0) > 0 || (dead.failed ?? 0) > 0;
  if (line.found === 0 && !deadLetters) return undefined;
  const parts = [];
  if (line.found !== 0) {
    parts.push(
      `found ${String(line.found)} abandoned event(s): requeued ${String(line.requeued)}, failed ${String(line.failed)}`,
    );
  }
  if (deadLetters) parts.push(`dead-letter queue: marked ${dead.marked ?? 0} DEAD, failed ${dead.failed ?? 0}`);
  return parts.join("; ");
}
