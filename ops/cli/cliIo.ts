import { styleText } from "node:util";

/** Where the CLI reads and writes: the process's streams, or a test's. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  nowMs: () => number;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, nowMs: Date.now };
}

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org) or TERM=dumb. */
export function colourOn(io: CliIo, stream: "stdout" | "stderr"): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") return false;
  if (io.env.TERM === "dumb") return false;
  return io[stream].isTTY === true;
}

type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan";

/** A styler for one stream: identity when colour is off. */
export function styler(io: CliIo, stream: "stdout" | "stderr"): (style: Style, text: string) => string {
  const on = colourOn(io, stream);
  return (style, text) => (on ? styleText(style, text, { validateStream: false }) : text);
}

/** The colour of a status word. */
export function statusStyle(status: string): Style {
  if (status === "DELIVERED" || status === "COMPLETED" || status === "RELEASED") return "green";
  if (status === "DEAD" || status === "FAILED") return "red";
  return "yellow";
}
