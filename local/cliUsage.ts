/** Thrown for flags or arguments a command does not understand. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The options `parse` reads from the command line, or, when it throws a {@link UsageError}, the problem and the
 * usage on stderr and exit code 2 (the convention for a command used wrongly).
 */
export function optionsOrExit<T>(command: string, usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${command}: ${error.message}\n${usage}\n`);
    process.exit(2);
  }
}
