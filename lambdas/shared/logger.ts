/** A structured log sink: one JSON object per line. Keys, codes and numbers only: never a payload or a secret. */
export type Logger = (line: Record<string, unknown>) => void;

/** Writes each line as JSON on stdout, where Lambda sends it to CloudWatch Logs. */
export const jsonLogger: Logger = (line) => console.log(JSON.stringify(line));

/** Milliseconds rounded to a tenth, for log lines. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
