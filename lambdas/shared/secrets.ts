import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { boundedClientConfig } from "./awsClientLimits.ts";
import { type Clock, systemClock } from "./clock.ts";
import { errorCodeOf, SecretUnavailableError } from "./errors.ts";
import type { SecretRef } from "./gatewayConfig.ts";

/**
 * Turns `SecretRef`s into secret values. Environment values are read once per process; Secrets Manager values are
 * kept `cacheTtlMs` and can be re-read early with `refresh()`, so a secret stored after the deploy (a Stripe
 * endpoint's `whsec_`, shown only once the endpoint exists) is picked up without a redeploy or a cold start.
 */
export interface SecretResolver {
  /** @throws {@link SecretUnavailableError} naming the variable, ARN or JSON key, never the value */
  resolve(ref: SecretRef): Promise<string>;
  /** Every value of a list, in order (e.g. the active secrets of a provider during rotation). */
  resolveAll(refs: readonly SecretRef[]): Promise<string[]>;
  /**
   * Forgets the Secrets Manager values so the next `resolve` reads them again, at most once per
   * `refreshIntervalMs` (after a signature failure: a forged flood must not turn into a GetSecretValue flood).
   * @returns whether the values were forgotten (false: refreshed too recently, or nothing to refresh)
   */
  refresh(): boolean;
}

export interface SecretResolverOptions {
  /** Where `{ env }` references are read, usually `process.env`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Client for `{ secretArn }` references. @default one created on first use, from the standard AWS configuration */
  secretsManager?: SecretsManagerClient;
  /** How long a Secrets Manager value is used before it is read again. @default 300 000 (5 minutes) */
  cacheTtlMs?: number;
  /** At most one `refresh()` per this interval. @default 60 000 (1 minute) */
  refreshIntervalMs?: number;
  /** @default the system clock */
  clock?: Clock;
}

export const SECRET_CACHE_DEFAULTS = { cacheTtlMs: 5 * 60_000, refreshIntervalMs: 60_000 } as const;

interface CachedValue {
  value: Promise<string>;
  loadedAtMs: number;
  /** From Secrets Manager (expires, refreshable), not the environment (fixed for the process). */
  expires: boolean;
}

/**
 * A resolver that reads `{ env: "NAME" }` from the environment and `{ secretArn, jsonKey? }` with one
 * `GetSecretValue` per ARN (`jsonKey` picks a field of a JSON secret). A failed read is not cached, so the next
 * request tries again; a failed re-read of an expired value keeps serving the value it had (Secrets Manager being
 * down must not refuse every webhook). Values never reach a log line or an error message.
 */
export function createSecretResolver(options: SecretResolverOptions): SecretResolver {
  const cache = new Map<string, CachedValue>();
  const clock = options.clock ?? systemClock;
  const cacheTtlMs = options.cacheTtlMs ?? SECRET_CACHE_DEFAULTS.cacheTtlMs;
  const refreshIntervalMs = options.refreshIntervalMs ?? SECRET_CACHE_DEFAULTS.refreshIntervalMs;
  let secretsManager = options.secretsManager;
  let lastRefreshMs = Number.NEGATIVE_INFINITY;

  function cached(key: string, expires: boolean, load: () => Promise<string>): Promise<string> {
    const nowMs = clock.nowMs();
    const current = cache.get(key);
    if (current && (!current.expires || nowMs - current.loadedAtMs < cacheTtlMs)) return current.value;
    const previous = current?.value;
    const value = load().catch((error) => {
      if (cache.get(key)?.value === value) cache.delete(key);
      if (previous) return previous; // the stale value, while the store does not answer
      throw error;
    });
    cache.set(key, { value, loadedAtMs: nowMs, expires });
    return value;
  }

  function secretString(secretArn: string): Promise<string> {
    return cached(`arn\0${secretArn}`, true, async () => {
      // Bounded like the DynamoDB and SQS clients: a hung first read must end in our 503, not the Lambda timeout.
      secretsManager ??= new SecretsManagerClient(boundedClientConfig());
      let output: { SecretString?: string; SecretBinary?: Uint8Array };
      try {
        output = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretArn }));
      } catch (error) {
        // AWS errors name the secret and the failure, never its value: safe to keep as the cause.
        const reason = errorCodeOf(error);
        throw new SecretUnavailableError(`${secretArn} could not be read (${reason})`, { cause: error });
      }
      const value = output.SecretString ?? decodeBinary(output.SecretBinary);
      if (value === undefined || value === "") throw new SecretUnavailableError(`${secretArn} is empty`);
      return value;
    });
  }

  function resolve(ref: SecretRef): Promise<string> {
    if ("env" in ref) {
      return cached(`env\0${ref.env}`, false, async () => {
        const value = options.env[ref.env];
        if (value === undefined) throw new SecretUnavailableError(`environment variable ${ref.env} is not set`);
        if (value === "") throw new SecretUnavailableError(`environment variable ${ref.env} is empty`);
        return value;
      });
    }
    const { secretArn, jsonKey } = ref;
    if (jsonKey === undefined) return secretString(secretArn);
    return cached(`arn\0${secretArn}\0${jsonKey}`, true, async () =>
      pickJsonField(await secretString(secretArn), secretArn, jsonKey),
    );
  }

  function refresh(): boolean {
    const nowMs = clock.nowMs();
    const refreshable = [...cache].filter(([, entry]) => entry.expires);
    if (refreshable.length === 0 || nowMs - lastRefreshMs < refreshIntervalMs) return false;
    lastRefreshMs = nowMs;
    // Marked expired rather than deleted: a re-read that fails still falls back to the value we had.
    for (const [, entry] of refreshable) entry.loadedAtMs = Number.NEGATIVE_INFINITY;
    return true;
  }

  return {
    resolve,
    resolveAll: (refs) => Promise.all(refs.map(resolve)),
    refresh,
  };
}

function decodeBinary(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString("utf8");
}

function pickJsonField(secret: string, secretArn: string, jsonKey: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    // No cause: V8's SyntaxError quotes the text it failed on, which is the secret itself.
    throw new SecretUnavailableError(`${secretArn} is not JSON, so it has no field "${jsonKey}"`);
  }
  const value =
    typeof parsed === "object" && parsed !== null && Object.hasOwn(parsed, jsonKey)
      ? (parsed as Record<string, unknown>)[jsonKey]
      : undefined;
  if (typeof value !== "string" || value === "") {
    throw new SecretUnavailableError(`${secretArn} has no non-empty string field "${jsonKey}"`);
  }
  return value;
}
