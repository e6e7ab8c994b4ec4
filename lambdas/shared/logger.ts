/** A structured log sink: one JSON object per line. Keys, codes and numbers only: never a payload or a secret. */
export type Logger = (line: Record<string, unknown>) => void;

/**
 * Writes each line as JSON with the console method of its `level` (INFO when it has none), which Lambda sends to
 * CloudWatch Logs. With Lambda's JSON log format a record's level is the method that wrote it, and console.log is
 * INFO: `level: "error"` in the message alone would file an error under INFO, out of reach of level filters.
 */
export const jsonLogger: Logger = (line) => {
  const message = JSON.stringify(line);
  switch (line.level) {
    case "error":
      console.error(message);
      break;
    case "warn":
      console.warn(message);
      break;
    case "debug":
      console.debug(message);
      break;
    default:
      console.info(message);
  }
};

/** Milliseconds rounded to a tenth, for log lines. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
