import type { VerifyError, VerifyFailure, VerifyResult } from "./types.ts";

/** Builds a refusal. */
export function reject(error: VerifyError, message: string): VerifyFailure {
  return { ok: false, error, message };
}

/**
 * Accepts a verified request if `eventId` is a non-empty string, else refuses it with
 * `missing_event_id`; `source` names where the id was looked for, for the message.
 */
export function acceptEventId(
  eventId: unknown,
  source: string,
  attributes: Record<string, string | undefined> = {},
): VerifyResult {
  if (typeof eventId !== "string" || eventId === "") return reject("missing_event_id", `${source} is missing or empty`);
  const recorded: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes))
    if (value !== undefined && value !== "") recorded[name] = value;
  return Object.keys(recorded).length > 0 ? { ok: true, eventId, attributes: recorded } : { ok: true, eventId };
}
