import { claimUnit } from "./claimUnit.ts";
import { ConfigurationError } from "./errors.ts";
import { fingerprintOf } from "./fingerprint.ts";
import { normalizeIdempotencyKey } from "./idempotencyKey.ts";
import { type IdempotencyOptions, resolveOptions, SERVER_SETTLE_BUDGET_MS } from "./options.ts";
import { replayValue } from "./refusals.ts";
import { type ClaimedCall, claimedCall, runClaimed } from "./runClaimed.ts";

/** What `makeIdempotent` adds to the function's own arguments: the claimed key, the transactional `db`, the signal. */
export type IdempotentCall = ClaimedCall;

/** Options of {@link makeIdempotent}: the key of a call, from its arguments, and the SDK's options. */
export type MakeIdempotentOptions<Args extends unknown[]> = Omit<IdempotencyOptions, "getKey" | "scope"> & {
  /** The idempotency key of one call. */
  key: (...args: Args) => string;
  /** Namespace of the records. @default "default" */
  scope?: string;
};

/**
 * Any async function, run at most once per key (a queue worker in a container, a cron job): `fn` receives its
 * arguments and `{ key, db }`. A later call with the key gets the first call's result back (JSON-stored); a call
 * while the first runs throws `InProgressError`; after `fn` threw, `PreviouslyFailedError` (`onError: "fail"`,
 * the default) or it runs again (`"release"`); the same key with other arguments throws `IdempotencyKeyReusedError`.
 * The arguments are fingerprinted as canonical JSON. `fn`'s own error is rethrown as it is. With `timeoutSeconds`,
 * `fn` gets a `signal` that fires then, and a call still running is thrown `HandlerTimedOutError` (its record left
 * `IN_PROGRESS`; with `inProgressLeaseSeconds`, taken over by a call after the lease).
 */
export function makeIdempotent<Args extends unknown[], Result>(
  fn: (call: IdempotentCall, ...args: Args) => Promise<Result>,
  input: MakeIdempotentOptions<Args>,
): (...args: Args) => Promise<Result> {
  const { key: keyOf, ...rest } = input;
  if (typeof keyOf !== "function") throw new ConfigurationError("key", "must be a function of the call's arguments");
  const scope = input.scope ?? "default";
  const options = resolveOptions({ ...rest, scope }, "server");
  const budget = () => SERVER_SETTLE_BUDGET_MS;
  return async (...args: Args): Promise<Result> => {
    const unit = await claimUnit(
      options,
      scope,
      () => ({ key: normalizeIdempotencyKey(keyOf(...args)), fingerprint: fingerprintOf(args) }),
      budget,
    );
    if (unit.kind === "replay") return replayValue(unit.refusal) as Result;
    if (unit.kind === "refused") throw unit.error;
    const ran = await runClaimed(options, scope, unit, (claim, signal) => fn(claimedCall(claim, signal), ...args));
    if (ran.kind === "completed") return ran.value;
    // The function's own error, as it threw it; else why its completion did not commit, or HandlerTimedOutError.
    throw ran.error;
  };
}
