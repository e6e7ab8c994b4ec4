import type { Claim } from "./claimLifecycle.ts";
import { claimUnit } from "./claimUnit.ts";
import { ConfigurationError, HandlerFailedError } from "./errors.ts";
import { errorResponse, type HttpResponse, replayResponse } from "./httpResponses.ts";
import { type IdempotencyOptions, type ResolvedOptions, resolveOptions, SERVER_SETTLE_BUDGET_MS } from "./options.ts";
import { runClaimed } from "./runClaimed.ts";
import type { UnitOfWork } from "./unitOfWork.ts";

/**
 * The claim lifecycle of one HTTP request outside Lambda (Express, Fastify, Web-standard servers), framework-free:
 * claim, run, then complete the record (with the handler's `db` writes) **before** the answer leaves, so a
 * duplicate that arrives after the answer always finds it stored. The adapters only read the request and write
 * the answer this returns.
 */

/** What a server answers: status, headers, and a UTF-8 body. It is also what is stored and replayed. */
export interface ServerAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const settleBudget = () => SERVER_SETTLE_BUDGET_MS;

/** A handler's own answer of 5xx says it failed: not stored and replayed; the onError policy applies. */
class HandlerAnswered5xxError extends Error {
  override readonly name = "HandlerAnswered5xxError";
  constructor(statusCode: number) {
    super(`the handler answered ${statusCode}`);
  }
}

function asAnswer(response: HttpResponse): ServerAnswer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name] = String(value);
  return { statusCode: response.statusCode, headers, body: typeof response.body === "string" ? response.body : "" };
}

/**
 * Runs `run` at most once for the request's key in `scope`: a replay answers the stored answer, a refusal its
 * error (409 in progress, 422 mismatch or failed, 503 store unavailable), a first delivery what `run` answers,
 * once its completion (and its `db` writes) is committed. A `run` that throws is the handler's failure:
 * `onError` applies and the answer is `500 handler_failed`.
 */
export async function answerOnce(
  options: ResolvedOptions,
  scope: string,
  readUnit: () => UnitOfWork,
  run: (claim: Claim, signal: AbortSignal) => Promise<ServerAnswer>,
): Promise<ServerAnswer> {
  const unit = await claimUnit(options, scope, readUnit, settleBudget);
  if (unit.kind === "replay") return asAnswer(replayResponse(unit.refusal.stored));
  if (unit.kind === "refused") return asAnswer(errorResponse(unit.error));
  const ran = await runClaimed(options, scope, unit, run, (answer) =>
    answer.statusCode >= 500 ? new HandlerAnswered5xxError(answer.statusCode) : undefined,
  );
  if (ran.kind === "completed") return ran.value;
  if (ran.kind === "timed_out") return asAnswer(errorResponse(ran.error));
  // A 5xx the handler answered itself reaches the caller as it is; only the record changed.
  if (ran.kind === "failed") return ran.value ?? asAnswer(errorResponse(new HandlerFailedError(ran.error)));
  return asAnswer(errorResponse(ran.handlerFailed ? new HandlerFailedError(ran.error) : ran.error));
}

/** The environment variables the server adapters read when options leave the table or the scope out. */
export const SERVER_ENV = { table: "ONCEGATE_IDEMPOTENCY_TABLE", scope: "ONCEGATE_SCOPE" } as const;

/**
 * A server adapter's options: the table from the options, else `ONCEGATE_IDEMPOTENCY_TABLE`; the scope from the
 * options, else `ONCEGATE_SCOPE`, else `default`; everything else validated as for any run outside Lambda.
 * @throws ConfigurationError naming the option or the variable
 */
export function serverOptions(input: Partial<IdempotencyOptions>): { options: ResolvedOptions; scope: string } {
  const tableName = input.tableName ?? process.env[SERVER_ENV.table];
  if (!tableName) throw new ConfigurationError("tableName", `not given, and ${SERVER_ENV.table} is not set`);
  const scope = input.scope ?? process.env[SERVER_ENV.scope] ?? "default";
  return { options: resolveOptions({ ...input, tableName, scope }, "server"), scope };
}

/** A handler's returned value as an answer: `200 {"ok":true,"result":…}`, or `200 {"ok":true}` for nothing. */
export function resultAnswer(result: unknown): ServerAnswer {
  let body = '{"ok":true}';
  if (result !== undefined) {
    try {
      body = JSON.stringify({ ok: true, result });
    } catch {
      // A result JSON cannot carry (circular, BigInt): the run still succeeded; answer without it.
    }
  }
  return { statusCode: 200, headers: { "content-type": "application/json" }, body };
}

// Headers the server computes for each answer: not part of what is stored and replayed.
const UNSTORED_HEADERS = new Set(["connection", "content-length", "date", "etag", "keep-alive", "transfer-encoding"]);

/** The headers of an answer worth storing and replaying, lower-cased, several values joined. */
export function storedHeaders(entries: Iterable<[string, unknown]>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (value === undefined || UNSTORED_HEADERS.has(name.toLowerCase())) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return headers;
}
