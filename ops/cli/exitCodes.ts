import type { OperatorErrorKind } from "../errors.ts";

/** The CLI's exit codes: documented in docs/operations.md, stable. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** Failed: refused, conflicted, unreachable, not allowed, or some job could not be handled. */
  failed: 1,
  /** The command line is wrong (unknown option, malformed key, a prompt with no terminal to ask on). */
  usage: 2,
  /** What was named does not exist (stack, table, record, dead job). */
  notFound: 3,
} as const;

export function exitCodeOf(kind: OperatorErrorKind): number {
  return kind === "usage" ? EXIT.usage : kind === "not_found" ? EXIT.notFound : EXIT.failed;
}
