import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readEvent } from "../../lambdas/delivery/deliveryStore.ts";
import { cursorAfter, type ListingCursor } from "../../lambdas/shared/eventListing.ts";
import type { EventStatus } from "../../lambdas/shared/eventRecord.ts";
import { splitEventPatterns } from "../../lambdas/shared/eventTypeFilter.ts";
import { eventRefOf, pkOfEventArgument } from "../deadLetters/eventRef.ts";
import { listDeadLetters } from "../deadLetters/listDeadLetters.ts";
import { type RedriveSummary, redriveDeadLetters } from "../deadLetters/redriveDeadLetters.ts";
import { listDestinations } from "../destinations/listDestinations.ts";
import { OperatorError, OperatorUsageError } from "../errors.ts";
import { resolveEventPk } from "../events/eventSelector.ts";
import { countEvents, receivedBuckets } from "../events/eventStats.ts";
import { eventSummary } from "../events/eventViews.ts";
import { findEvents } from "../events/listEventViews.ts";
import type { RecoverSelection } from "../events/recoverEvents.ts";
import { replayEvent } from "../events/replayEvent.ts";
import { noSuchEvent, showEvent } from "../events/showEvent.ts";
import { DEFAULT_MIN_AGE_MS } from "../keys/keyRecord.ts";
import { applyRelease, planRelease } from "../keys/releaseKey.ts";
import { showKey } from "../keys/showKey.ts";
import { keyRefOf } from "../keys/targetKeyRef.ts";
import type { MetricWindow } from "../metrics/gatewayCounts.ts";
import { operatorFailureOf } from "../target/awsFailures.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import { ConsoleAccess, isToken, TOKEN_HEADER, tokenCookie } from "./consoleAccess.ts";
import { CONSOLE_ICON, CONSOLE_SCRIPT, CONSOLE_STYLE } from "./consoleAssets.ts";
import {
  DEFAULT_PAGE_SIZE,
  deadLettersPage,
  EVENT_STATUSES,
  type EventsQuery,
  eventPage,
  eventPath,
  eventsPage,
  type KeysQuery,
  keysPage,
  OVERVIEW_WINDOWS,
  type OverviewCounts,
  type OverviewWindow,
  overviewPage,
  recoverPage,
  WINDOWS,
  type WindowName,
} from "./consolePages.ts";
import { DESTINATION_ACTION, destinationAction } from "./destinationActions.ts";
import { destinationsPage } from "./destinationsPage.ts";
import { RecoverRuns } from "./recoverRuns.ts";

/**
 * The operator console: a web face of the operator library on a local HTTP server (127.0.0.1, a free port by
 * default). Every page and action calls the same library functions as the CLI (`findEvents`, `showEvent`,
 * `replayEvent`, `listDeadLetters`, `redriveDeadLetters`, `listDestinations`, `pauseDestination`/`resumeDestination`, `showKey`, `planRelease`/`applyRelease`) on the same target, local stack or AWS stack; nothing of it is deployed.
 */

export interface ConsoleOptions {
  /** Where the pages live: `/console` (also what `npm start` mounts). */
  basePath?: string;
  host?: string;
  port?: number;
  /** The token of the first sign-in URL (it signs in once); a new random one by default. */
  token?: string;
  nowMs?: () => number;
}

export interface RunningConsole {
  /** The URL to open: the pages with a sign-in token, which its first visit exchanges for a session cookie. */
  url: string;
  /** The console's origin and base path, without a token. */
  baseUrl: string;
  /** Another sign-in URL (for another browser, or once the first one's cookie is gone). */
  signInUrl(): string;
  close(): Promise<void>;
}

/** A refusal or failure, answered as JSON with a machine-readable `error` code. */
class ConsoleHttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const STATUS_OF_KIND = { usage: 400, not_found: 404, failed: 409 } as const;
/** AWS's failures as a gateway's: throttled is 503 (try again), timed out 504, anything else of AWS's 502. */
const TARGET_STATUS: Record<string, number> = { aws_throttled: 503, aws_timeout: 504 };
const THROTTLED_RETRY_AFTER_SECONDS = 5;
const MAX_BODY_BYTES = 16 * 1024;
/** Replays a second of a console recover unless the page says otherwise: the CLI's default. */
const DEFAULT_RECOVER_RATE = 10;
/** Most events the overview reads (its counts say when there were more). */
const OVERVIEW_LIMIT = 10_000;

export async function startConsole(target: OperatorTarget, options: ConsoleOptions = {}): Promise<RunningConsole> {
  const basePath = options.basePath ?? "/console";
  const access = new ConsoleAccess(options.token);
  const nowMs = options.nowMs ?? Date.now;
  const handle = consoleHandler(target, { basePath, access, nowMs });
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new OperatorUsageError("port_in_use", `Port ${options.port} is in use: pass another --port, or none.`)
          : error,
      ),
    );
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const baseUrl = `http://${address}:${port}${basePath}`;
  return {
    url: `${baseUrl}?token=${access.firstToken}`,
    baseUrl,
    signInUrl: () => `${baseUrl}?token=${access.issue()}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The console's request handler, for a server of its own ({@link startConsole}) or mounted under `basePath` by
 * another (the local stack). Every request gets an answer; a failure is JSON with an `error` code.
 */
export function consoleHandler(
  target: OperatorTarget,
  config: { basePath: string; access: ConsoleAccess; nowMs: () => number },
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { basePath, access, nowMs } = config;
  const runs = new RecoverRuns();
  return async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", "http://console.invalid");
      const path = url.pathname.replace(/\/+$/, "");
      if (path === basePath && url.searchParams.has("token")) {
        const signIn = access.signIn(url.searchParams.get("token") ?? undefined, request.headers.cookie);
        if (signIn.outcome === "refused") throw refusedToken();
        if (signIn.outcome === "spent" && signIn.session === undefined) {
          throw new ConsoleHttpError(
            401,
            "console_token_spent",
            "This sign-in URL was used already (each signs in one browser once): get another from `oncegate console`.",
          );
        }
        // The token leaves the address bar and the history: from here on the session's cookie is the key.
        response.writeHead(303, {
          location: `${basePath}/events`,
          ...(signIn.outcome === "signed_in" && { "set-cookie": tokenCookie(signIn.session.id, basePath) }),
        });
        response.end();
        return;
      }
      const session = access.sessionOf(request.headers.cookie);
      if (session === undefined) throw refusedToken();
      // What the pages carry for their actions' header: the session's, never the sign-in token.
      const token = session.actionToken;
      const route = path.slice(basePath.length);
      if (request.method === "POST") {
        // A state change: the cookie alone could be sent by another page's form; the header cannot.
        const header = request.headers[TOKEN_HEADER];
        if (!isToken(token, typeof header === "string" ? header : undefined)) {
          throw new ConsoleHttpError(
            403,
            "console_token_header_required",
            `An action needs the session's action token (the console's pages hold it) in the ${TOKEN_HEADER} header.`,
          );
        }
        const replay = /^\/api\/events\/([^/]+)\/([^/]+)\/replay$/.exec(route);
        if (replay) {
          return sendJson(response, 200, await replayAction(target, nowMs(), replay, await jsonBody(request)));
        }
        if (route === "/api/recover/count") {
          const { selection } = recoverRequestOf(await jsonBody(request), nowMs(), false);
          return sendJson(response, 200, { count: await runs.count(target, selection) });
        }
        if (route === "/api/recover/start") {
          const { selection, rate } = recoverRequestOf(await jsonBody(request), nowMs(), true);
          const run = await runs.start(target, selection, { ratePerSecond: rate, nowMs: nowMs() });
          return sendJson(response, 202, run);
        }
        if (route === "/api/dead-letters/redrive") {
          return sendJson(response, 200, await redriveAction(target, nowMs, await jsonBody(request)));
        }
        if (route === "/api/keys/release") {
          return sendJson(response, 200, await releaseAction(target, nowMs(), await jsonBody(request)));
        }
        const control = DESTINATION_ACTION.exec(route);
        if (control) {
          const [id, verb] = [pathPart(control[1]), control[2] as "pause" | "resume"];
          return sendJson(response, 200, await destinationAction(target, nowMs(), id, verb, await jsonBody(request)));
        }
        throw new ConsoleHttpError(404, "not_found", `No action at ${url.pathname}.`);
      }
      if (request.method !== "GET" && request.method !== "HEAD") {
        throw new ConsoleHttpError(405, "method_not_allowed", `${request.method} is not an action of the console.`);
      }
      if (route === "" || route === "/events") {
        const query = eventsQuery(url.searchParams);
        const now = nowMs();
        // One more than a page: whether there is a next one, without a second read.
        const { after: cursor, type, ...filter } = query;
        const after = cursor === undefined ? undefined : cursorOf(cursor);
        const states = await findEvents(target, {
          ...filter,
          ...(type !== undefined && { eventTypes: typePatternsOf(type) }),
          limit: query.limit + 1,
          ...(after !== undefined && { after }),
          sinceMs: now - WINDOWS[query.window],
          untilMs: now,
        });
        const shown = states.slice(0, query.limit);
        const following = states.length > query.limit ? cursorAfter(shown, after) : undefined;
        const next = following === undefined ? undefined : cursorText(following);
        return sendHtml(response, eventsPage(basePath, token, query, shown.map(eventSummary), next));
      }
      const event = /^\/events\/([^/]+)\/([^/]+)$/.exec(route);
      if (event) {
        const pk = await eventPkOf(target, nowMs(), event);
        const detail = await showEvent(target, pk, { payload: url.searchParams.get("payload") === "1" });
        return sendHtml(response, eventPage(basePath, token, detail, target.resources.destinationIds));
      }
      if (route === "/find") {
        // `<provider> <eventId>` or an Idempotency-Key, as `events show` takes them; found: its page.
        const words = (url.searchParams.get("q") ?? "").trim().split(/\s+/).filter(Boolean);
        const pk = await resolveEventPk(target, words, { nowMs: nowMs() });
        const ref = eventRefOf(pk);
        response.writeHead(303, { location: eventPath(basePath, ref?.provider ?? "", ref?.eventId ?? "") });
        response.end();
        return;
      }
      if (route === "/recover") return sendHtml(response, recoverPage(basePath, token));
      const followed = /^\/api\/recover\/runs\/([^/]+)$/.exec(route);
      if (followed) {
        const run = runs.get(pathPart(followed[1]));
        if (run === undefined)
          throw new ConsoleHttpError(404, "no_such_run", "This console started no run with that id.");
        return sendJson(response, 200, run);
      }
      if (route === "/overview") {
        const name = url.searchParams.get("window") ?? "1h";
        if (!(name in OVERVIEW_WINDOWS)) {
          throw new OperatorUsageError(
            "invalid_window",
            `window must be one of ${Object.keys(OVERVIEW_WINDOWS).join(", ")}; not ${name}.`,
          );
        }
        const window = OVERVIEW_WINDOWS[name as OverviewWindow];
        const untilMs = nowMs();
        // Buckets on whole minutes (quarter hours): the window starts at the bucket boundary before now - span.
        const sinceMs = Math.floor((untilMs - window.spanMs) / window.bucketMs) * window.bucketMs;
        const range = { sinceMs, untilMs };
        const states = await findEvents(target, { ...range, limit: OVERVIEW_LIMIT + 1 });
        const stats = countEvents(states, { ...range, limit: OVERVIEW_LIMIT });
        const metricWindow = { ...range, bucketMs: window.bucketMs };
        const buckets = receivedBuckets(states.slice(0, OVERVIEW_LIMIT), metricWindow);
        const counts = await overviewCounts(target, metricWindow);
        return sendHtml(response, overviewPage(basePath, token, name as OverviewWindow, stats, buckets, counts));
      }
      if (route === "/dead-letters") {
        const destination = url.searchParams.get("destination")?.trim() || undefined;
        const letters = await listDeadLetters(target, destination === undefined ? {} : { destination }, { nowMs });
        return sendHtml(
          response,
          deadLettersPage(basePath, token, destination === undefined ? {} : { destination }, letters),
        );
      }
      if (route === "/destinations") {
        return sendHtml(response, destinationsPage(basePath, token, await listDestinations(target)));
      }
      if (route === "/keys") {
        const [status, html] = await keysLookup(target, nowMs(), url.searchParams, { basePath, token });
        return sendHtml(response, html, status);
      }
      if (route === "/console.js") return sendAsset(response, "text/javascript", CONSOLE_SCRIPT);
      if (route === "/console.css") return sendAsset(response, "text/css", CONSOLE_STYLE);
      if (route === "/favicon.svg") return sendAsset(response, "image/svg+xml", CONSOLE_ICON);
      throw new ConsoleHttpError(404, "not_found", `No console page at ${url.pathname}.`);
    } catch (error) {
      sendError(response, error);
    }
  };
}

/**
 * The gateway's metric counts for the overview, or why they could not be read (an identity without
 * cloudwatch:GetMetricData, say): said on the page, which still shows what the events table holds.
 */
async function overviewCounts(target: OperatorTarget, window: MetricWindow): Promise<OverviewCounts | undefined> {
  if (target.metrics === undefined) return undefined;
  try {
    return { source: target.metrics.label, window, counts: await target.metrics.counts(window) };
  } catch (error) {
    const known = operatorFailureOf(error, "read the gateway's metrics");
    if (known instanceof OperatorError) return { problem: { error: known.code, message: known.message } };
    return { problem: { error: "metrics_unreadable", message: (known as Error).message } };
  }
}

function refusedToken(): ConsoleHttpError {
  return new ConsoleHttpError(
    401,
    "console_token_required",
    "Open the console with a sign-in URL `oncegate console` printed (it carries the token).",
  );
}

/** One segment of the path, decoded; a malformed escape (`%E0%A4%A`) is the caller's error, not ours. */
function pathPart(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? "");
  } catch {
    throw new OperatorUsageError("invalid_path", `${segment} is not a valid part of a console address.`);
  }
}

async function eventPkOf(target: OperatorTarget, nowMs: number, match: RegExpExecArray): Promise<string> {
  const [provider, eventId] = [pathPart(match[1]), pathPart(match[2])];
  return resolveEventPk(target, [provider, eventId], { nowMs });
}

async function replayAction(target: OperatorTarget, nowMs: number, match: RegExpExecArray, body: unknown) {
  const { destination, ...unknown } = (body ?? {}) as { destination?: unknown };
  if (Object.keys(unknown).length > 0) {
    throw new OperatorUsageError(
      "unknown_field",
      `A replay takes only "destination"; not ${Object.keys(unknown).join(", ")}.`,
    );
  }
  if (destination !== undefined && typeof destination !== "string") {
    throw new OperatorUsageError("invalid_destination", '"destination" must be a destination id (a string).');
  }
  const pk = await eventPkOf(target, nowMs, match);
  const state = await readEvent({ client: target.ddb, tableName: target.resources.eventsTable }, pk);
  if (state === undefined) throw noSuchEvent(pk);
  const replayed = await replayEvent(target, state, { by: await target.identity(), nowMs }, destination);
  return { provider: state.provider, eventId: state.eventId, idempotencyKey: state.idempotencyKey, replayed };
}

/** The keys page: a lookup that fails (no such key, a malformed one) is said on the page, with its code. */
async function keysLookup(
  target: OperatorTarget,
  nowMs: number,
  params: URLSearchParams,
  page: { basePath: string; token: string },
): Promise<[number, string]> {
  const query: KeysQuery = {};
  for (const name of ["key", "table", "scope"] as const) {
    const value = params.get(name)?.trim();
    if (value) query[name] = value;
  }
  if (query.key === undefined) return [200, keysPage(page.basePath, page.token, query, {})];
  try {
    const { view } = await showKey(target.ddb, keyRefOf(target, query.key, query), nowMs);
    return [200, keysPage(page.basePath, page.token, query, { view })];
  } catch (error) {
    if (!(error instanceof OperatorError) || error.kind === "failed") throw error;
    const status = STATUS_OF_KIND[error.kind];
    return [
      status,
      keysPage(page.basePath, page.token, query, { problem: { error: error.code, message: error.message } }),
    ];
  }
}

/** `keys release` from the keys page: plan (the same rules as the CLI), then write what was planned. */
async function releaseAction(target: OperatorTarget, nowMs: number, body: unknown) {
  const { key, table, scope, reason, force, minAgeSeconds, ...unknown } = (body ?? {}) as Record<string, unknown>;
  if (Object.keys(unknown).length > 0) {
    throw new OperatorUsageError(
      "unknown_field",
      `A release takes key, table, scope, reason, force and minAgeSeconds; not ${Object.keys(unknown).join(", ")}.`,
    );
  }
  if (minAgeSeconds !== undefined && !(Number.isInteger(minAgeSeconds) && (minAgeSeconds as number) >= 0)) {
    throw new OperatorUsageError("invalid_min_age", '"minAgeSeconds" must be a whole number of seconds, 0 or more.');
  }
  const text = (name: string, value: unknown) => {
    if (value === undefined || value === "") return undefined;
    if (typeof value !== "string") throw new OperatorUsageError(`invalid_${name}`, `"${name}" must be a string.`);
    return value;
  };
  if (force !== undefined && typeof force !== "boolean") {
    throw new OperatorUsageError("invalid_force", '"force" must be true or false.');
  }
  const ref = keyRefOf(target, text("key", key) ?? "", {
    ...(text("table", table) !== undefined && { table: text("table", table) }),
    ...(text("scope", scope) !== undefined && { scope: text("scope", scope) }),
  });
  const why = text("reason", reason) ?? "";
  const plan = await planRelease(target.ddb, ref, why, {
    force: force === true,
    minAgeMs: minAgeSeconds === undefined ? DEFAULT_MIN_AGE_MS : (minAgeSeconds as number) * 1000,
    nowMs,
  });
  if (plan.refusal !== undefined) throw plan.refusal;
  if (plan.alreadyReleased) return { outcome: "already_released", record: plan.view };
  const record = await applyRelease(target.ddb, plan, { reason: why, by: await target.identity(), nowMs });
  return { outcome: "released", record };
}

/** Most messages a console redrive picks by id: a page's selection, not a bulk tool (Redrive all is). */
const MAX_PICKED_MESSAGES = 100;

/**
 * `dlq redrive` from the dead-letters page: one event's job (`event` + `destination`), the rows picked
 * (`messageIds`), or all of a destination.
 */
async function redriveAction(target: OperatorTarget, nowMs: () => number, body: unknown): Promise<RedriveSummary> {
  const { event, destination, messageIds, ...unknown } = (body ?? {}) as Record<string, unknown>;
  if (Object.keys(unknown).length > 0) {
    throw new OperatorUsageError(
      "unknown_field",
      `A redrive takes event, destination and messageIds; not ${Object.keys(unknown).join(", ")}.`,
    );
  }
  for (const [name, value] of Object.entries({ event, destination })) {
    if (value !== undefined && typeof value !== "string") {
      throw new OperatorUsageError(`invalid_${name}`, `"${name}" must be a string.`);
    }
  }
  const picked =
    messageIds !== undefined &&
    Array.isArray(messageIds) &&
    messageIds.length >= 1 &&
    messageIds.length <= MAX_PICKED_MESSAGES &&
    messageIds.every((id) => typeof id === "string" && id !== "");
  if (messageIds !== undefined && !picked) {
    throw new OperatorUsageError(
      "invalid_message_ids",
      `"messageIds" must be 1 to ${MAX_PICKED_MESSAGES} message ids (strings), as the page lists them.`,
    );
  }
  const selection = {
    ...(typeof destination === "string" && destination !== "" && { destination }),
    ...(typeof event === "string" && event !== "" && { pk: pkOfEventArgument(event) }),
    ...(picked && { messageIds: messageIds as string[] }),
  };
  return redriveDeadLetters(target, { selection, nowMs });
}

const RECOVER_WINDOWS = { "1d": 86_400_000, "7d": 7 * 86_400_000 } as const;
/** Most events a console recover looks at, as the CLI's default `--limit`. */
const RECOVER_LIMIT = 10_000;

/** A recover's selection (and, to start one, its rate), checked field by field. */
function recoverRequestOf(
  body: unknown,
  nowMs: number,
  starting: boolean,
): { selection: RecoverSelection; rate: number } {
  const { status, provider, destination, type, window, rate, ...unknown } = (body ?? {}) as Record<string, unknown>;
  const allowed = starting
    ? "status, provider, destination, type, window and rate"
    : "status, provider, destination, type and window";
  if (Object.keys(unknown).length > 0 || (!starting && rate !== undefined)) {
    const extra = [...Object.keys(unknown), ...(!starting && rate !== undefined ? ["rate"] : [])];
    throw new OperatorUsageError("unknown_field", `A recover takes ${allowed}; not ${extra.join(", ")}.`);
  }
  if (status !== "FAILED" && status !== "DEAD" && status !== "UNROUTED") {
    throw new OperatorUsageError("invalid_status", '"status" must be FAILED, DEAD or UNROUTED.');
  }
  const name = window ?? "7d";
  if (typeof name !== "string" || !(name in RECOVER_WINDOWS)) {
    throw new OperatorUsageError("invalid_window", '"window" must be 1d or 7d.');
  }
  for (const [field, value] of Object.entries({ provider, destination, type })) {
    if (value !== undefined && typeof value !== "string") {
      throw new OperatorUsageError(`invalid_${field}`, `"${field}" must be a string.`);
    }
  }
  const perSecond = rate ?? DEFAULT_RECOVER_RATE;
  if (typeof perSecond !== "number" || !Number.isInteger(perSecond) || perSecond < 1 || perSecond > 100) {
    throw new OperatorUsageError("invalid_rate", '"rate" must be a whole number of replays a second, 1 to 100.');
  }
  return {
    selection: {
      status,
      sinceMs: nowMs - RECOVER_WINDOWS[name as keyof typeof RECOVER_WINDOWS],
      untilMs: nowMs,
      limit: RECOVER_LIMIT,
      ...(typeof provider === "string" && provider !== "" && { provider }),
      ...(typeof destination === "string" && destination !== "" && { destination }),
      ...(typeof type === "string" && type !== "" && { eventTypes: typePatternsOf(type) }),
    },
    rate: perSecond,
  };
}

function eventsQuery(params: URLSearchParams): EventsQuery {
  const text = (name: string) => {
    const value = params.get(name)?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const status = text("status");
  if (status !== undefined && !EVENT_STATUSES.includes(status as EventStatus)) {
    throw new OperatorUsageError(
      "invalid_status",
      `status must be one of ${EVENT_STATUSES.join(", ")}; not ${status}.`,
    );
  }
  const window = text("window") ?? "1d";
  if (!(window in WINDOWS)) {
    throw new OperatorUsageError(
      "invalid_window",
      `window must be one of ${Object.keys(WINDOWS).join(", ")}; not ${window}.`,
    );
  }
  const provider = text("provider");
  const destination = text("destination");
  const type = text("type");
  if (type !== undefined) typePatternsOf(type);
  const after = text("after");
  if (after !== undefined) cursorOf(after);
  const limit = Number(text("limit") ?? DEFAULT_PAGE_SIZE);
  if (!Number.isInteger(limit) || limit < 1 || limit > DEFAULT_PAGE_SIZE) {
    throw new OperatorUsageError(
      "invalid_limit",
      `limit must be a whole number of events a page, 1 to ${DEFAULT_PAGE_SIZE}.`,
    );
  }
  return {
    ...(after !== undefined && { after }),
    ...(status !== undefined && { status: status as EventStatus }),
    ...(provider !== undefined && { provider }),
    ...(destination !== undefined && { destination }),
    ...(type !== undefined && { type }),
    window: window as WindowName,
    limit,
  };
}

/**
 * The patterns of a `type` filter, comma-separated, each checked as a destination's `events` are.
 * @throws OperatorUsageError `invalid_event_type`
 */
function typePatternsOf(text: string): string[] {
  const split = splitEventPatterns(text);
  if ("problem" in split) throw new OperatorUsageError("invalid_event_type", `type: ${split.problem}.`);
  return split.patterns;
}

/** Most events of one millisecond a cursor names: far more than a page holds, so only a forged one is refused. */
const MAX_CURSOR_KEYS = 1_000;

/** A listing cursor as an address carries it: `[receivedAtMs, [pk…]]` as JSON, base64url. */
function cursorText(cursor: ListingCursor): string {
  return Buffer.from(JSON.stringify([cursor.receivedAtMs, cursor.pks])).toString("base64url");
}

/** The listing cursor an events page's `after` carries, as the page before wrote it (`cursorText`). */
function cursorOf(after: string): ListingCursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(after, "base64url").toString("utf8"));
  } catch {
    decoded = undefined;
  }
  const [receivedAtMs, pks] = Array.isArray(decoded) ? decoded : [];
  const valid =
    Array.isArray(decoded) &&
    decoded.length === 2 &&
    Number.isSafeInteger(receivedAtMs) &&
    receivedAtMs >= 0 &&
    Array.isArray(pks) &&
    pks.length >= 1 &&
    pks.length <= MAX_CURSOR_KEYS &&
    pks.every((pk) => typeof pk === "string");
  if (!valid) {
    throw new OperatorUsageError(
      "invalid_cursor",
      "after must be the cursor an events page links to (Older events); start again from the newest events.",
    );
  }
  return { receivedAtMs, pks };
}

async function jsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ConsoleHttpError(413, "body_too_large", "An action's body is at most 16 KiB.");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ConsoleHttpError(400, "invalid_json", "An action's body must be JSON.");
  }
}

const SECURITY_HEADERS = {
  // Only its own script and style; no frame may embed it (clickjacking the Replay button).
  "content-security-policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

function sendHtml(response: ServerResponse, html: string, status = 200): void {
  response.writeHead(status, { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS });
  response.end(html);
}

function sendAsset(response: ServerResponse, type: string, text: string): void {
  response.writeHead(200, { "content-type": `${type}; charset=utf-8`, ...SECURITY_HEADERS });
  response.end(text);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json", ...SECURITY_HEADERS });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, error: unknown): void {
  // An AWS failure no library call named (credentials, access, the network) still gets the operator's sentence.
  const known = operatorFailureOf(error, "do this");
  if (known instanceof ConsoleHttpError) {
    sendJson(response, known.status, { error: known.code, message: known.message });
  } else if (known instanceof OperatorError) {
    const status = known.name === "TargetError" ? (TARGET_STATUS[known.code] ?? 502) : STATUS_OF_KIND[known.kind];
    // Throttled: the page may simply be asked again in a moment (the live refresh does).
    if (status === 503) response.setHeader("retry-after", String(THROTTLED_RETRY_AFTER_SECONDS));
    sendJson(response, status, { error: known.code, message: known.message });
  } else {
    sendJson(response, 500, { error: "internal_error", message: (known as Error).message });
  }
}
