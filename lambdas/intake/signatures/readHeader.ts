/** A header's value, or undefined when absent or not a string; names must already be lower-case. */
export function readHeader(headers: Record<string, string>, name: string): string | undefined {
  // Own properties only: a lookup of "constructor" must not find Object.prototype's.
  if (typeof headers !== "object" || headers === null || !Object.hasOwn(headers, name)) return undefined;
  const value = headers[name];
  return typeof value === "string" ? value : undefined;
}
