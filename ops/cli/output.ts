import Table from "cli-table3";
import type { CliIo } from "./cliIo.ts";

/** Borderless, aligned columns: easy to read, and to `grep` or `awk`. */
const PLAIN = {
  chars: {
    top: "",
    "top-mid": "",
    "top-left": "",
    "top-right": "",
    bottom: "",
    "bottom-mid": "",
    "bottom-left": "",
    "bottom-right": "",
    left: "",
    "left-mid": "",
    mid: "",
    "mid-mid": "",
    right: "",
    "right-mid": "",
    middle: "  ",
  },
  style: { "padding-left": 0, "padding-right": 0, head: [] as string[], border: [] as string[] },
};

/** An aligned table with a header row. */
export function table(head: string[], rows: (string | number)[][]): string {
  const out = new Table({ ...PLAIN, head });
  out.push(...rows.map((row) => row.map(String)));
  return trimLines(out.toString());
}

/** Aligned `name  value` lines. */
export function keyValues(rows: [string, string | number | undefined][]): string {
  const out = new Table(PLAIN);
  out.push(...rows.filter(([, value]) => value !== undefined).map(([name, value]) => [name, String(value)]));
  return trimLines(out.toString());
}

function trimLines(text: string): string {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}

/** Prints `value` as one JSON document on stdout (the `--json` output). */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(io: CliIo, text = ""): void {
  io.stdout.write(`${text}\n`);
}

/** `3 min ago`, `2 h ago`: ages at a glance. */
export function ago(seconds: number | undefined): string | undefined {
  if (seconds === undefined) return undefined;
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}
