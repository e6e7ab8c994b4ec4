import { createInterface } from "node:readline/promises";
import { OperatorUsageError } from "../errors.ts";
import type { CliIo } from "./cliIo.ts";

/**
 * Asks `question` on the terminal, unless `yes`. With no terminal to ask on (a script, a pipe, CI) it refuses
 * rather than guess: exit code 2, and the sentence says to pass --yes.
 * @throws OperatorUsageError `confirmation_needed` when stdin is not a terminal
 */
export function assertCanConfirm(io: CliIo, yes: boolean, what: string): void {
  if (yes || io.stdin.isTTY === true) return;
  throw new OperatorUsageError("confirmation_needed", `There is no terminal to confirm on: pass --yes to ${what}.`);
}

/** True when the operator answered y or yes. */
export async function confirm(io: CliIo, yes: boolean, question: string): Promise<boolean> {
  if (yes) return true;
  const prompt = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
