import { InvalidArgumentError } from "commander";

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `2h`, `1d` or `0` → milliseconds (commander's argument parser: a bad value is a usage error). */
export function durationMs(text: string): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(text.trim());
  if (match === null || (match[2] === undefined && match[1] !== "0")) {
    throw new InvalidArgumentError("expected a duration such as 90s, 15m, 2h or 0.");
  }
  return Number(match[1]) * (match[2] === undefined ? 0 : (UNITS[match[2]] ?? 0));
}

/** A whole number from 1. */
export function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError("expected a whole number from 1.");
  }
  return value;
}
