// fatal: a body that is not valid UTF-8 is malformed, rather than silently parsed with U+FFFD in it.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses a body as UTF-8 JSON; `ok: false` for anything else (never throws). */
export function parseJsonBody(rawBody: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(utf8.decode(rawBody)) };
  } catch {
    return { ok: false };
  }
}

/** Follows a dot path like "data.meta.id" through own properties of parsed JSON; undefined if any step is missing. */
export function readJsonPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
