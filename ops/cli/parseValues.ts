import { InvalidArgumentError } from "commander";
import { splitEventPatterns } from "../../lambdas/shared/eventTypeFilter.ts";
import { OperatorUsageError } from "../errors.ts";

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

/**
 * `--since`/`--until`: a duration back from now (`90s`, `15m`, `2h`, `7d`) or an ISO 8601 time, in epoch ms.
 * @throws OperatorUsageError `invalid_time`
 */
export function timeOption(name: string, text: string | undefined, nowMs: number, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  if (/^\d+[smhd]$/.test(text.trim())) return nowMs - durationMs(text);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new OperatorUsageError(
      "invalid_time",
      `--${name} ${JSON.stringify(text)} is not a time: pass a duration back from now (90s, 15m, 2h, 7d) or an ISO 8601 time (2026-12-01T09:00:00Z).`,
    );
  }
  return ms;
}

/**
 * `--type invoice.*` (repeatable, or comma-separated): event type patterns, as destinations' `events` take them.
 * Commander's collector: each value is added to the ones before.
 */
export function eventTypePatterns(text: string, previous: string[] = []): string[] {
  const split = splitEventPatterns(text);
  if ("problem" in split) throw new InvalidArgumentError(`${split.problem}.`);
  return [...previous, ...split.patterns];
}

/** `--rate 20/s` or `--rate 20`: replays a second, from 1 to 1000. */
export function ratePerSecond(text: string): number {
  const match = /^(\d+)(\/s)?$/.exec(text.trim());
  const value = Number(match?.[1]);
  if (match === null || !Number.isSafeInteger(value) || value < 1 || value > 1000) {
    throw new InvalidArgumentError("expected a rate such as 20/s (from 1 to 1000 a second).");
  }
  return value;
}
