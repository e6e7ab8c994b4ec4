import { Agent, request as httpRequest } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { ChaosWebhook } from "../../local/chaosWebhooks.ts";
import { seededRandom } from "../../local/seededRandom.ts";
import { fetchStats, waitUntilSettled } from "../../local/stackClient.ts";
import type { StackProcess } from "../../local/stackProcess.ts";
import { accountFor } from "./eventAccounting.ts";
import { type HostileRequest, hostileRequest } from "./hostileRequests.ts";
import type { MarkedSigningContext } from "./markedWebhooks.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { SETTLE_TIMEOUT_MS } from "./stackTimings.ts";
import { unavailableCauses } from "./unavailableCauses.ts";

/** The refusal codes the intake documents (README, "Intake answers"): anything else is not a stable code. */
const STABLE_CODES = new Set([
  "unknown_provider",
  "method_not_allowed",
  "payload_too_large",
  "invalid_signature",
  "stale_timestamp",
  "missing_event_id",
  "malformed_payload",
  "invalid_event_id",
]);
const CONCURRENCY = 32;
/**
 * A 503 is sent again, byte for byte, as every provider retries a 5xx. On a starved machine (CI runs this beside the
 * rest of the suite) the intake's store call can overrun its deadline after it applied: the event is stored, the
 * answer is 503, and only the provider's retry (answered 200 duplicate) completes the exchange. That is the
 * protocol working, not a fault, as long as the intake's log shows a slow call behind every such 503.
 */
const RETRIES = { attempts: 10, pauseMs: 1_000 };

interface Answer {
  status: number | undefined;
  body: string;
}

/**
 * `count` seeded hostile requests against a running stack: no 5xx but a 503 the log explains by a slow call (retried
 * as a provider would), no request left unanswered, every refusal a 4xx with a documented `error` code, no 2xx for a
 * request that must be refused, exactly one stored event per distinct genuine event that got a 2xx (and none for
 * anything else), and the process still alive at the end.
 */
export async function runHostileInput(
  stack: StackProcess,
  count: number,
  seed: number,
  signing: Omit<MarkedSigningContext, "baseUrl" | "nowMs">,
  logFile: string,
): Promise<ScenarioResult> {
  const startedMs = performance.now();
  const before = await fetchStats(stack.baseUrl);
  const random = seededRandom(seed);
  const context = { ...signing, baseUrl: stack.baseUrl, random, prefix: `hostile-${Date.now().toString(36)}` };
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const problems = new Map<string, number>();
  const problem = (what: string) => problems.set(what, (problems.get(what) ?? 0) + 1);
  const codes: Record<string, number> = {};
  const accepted = new Map<string, { provider: string; eventId: string }>();
  const stored = new Set<string>();
  const replayable: ChaosWebhook[] = [];
  let unavailable = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      // Generated in order, so that the same seed gives the same requests whatever the timing.
      const request = hostileRequest(next++, context, replayable);
      let answer = await send(stack.baseUrl, request, agent);
      for (let attempt = 1; answer.status === 503 && attempt < RETRIES.attempts; attempt++) {
        unavailable += 1;
        await sleep(RETRIES.pauseMs);
        answer = await send(stack.baseUrl, request, agent);
      }
      const status = answer.status;
      if (status === undefined) problem(`${request.kind}: no answer`);
      else if (status >= 500) problem(`${request.kind}: ${status}`);
      else if (status >= 400) {
        const code = errorCode(answer.body);
        codes[`${status} ${code}`] = (codes[`${status} ${code}`] ?? 0) + 1;
        if (!STABLE_CODES.has(code)) problem(`${request.kind}: ${status} without a stable code`);
      } else if (status >= 200 && status < 300) {
        codes[String(status)] = (codes[String(status)] ?? 0) + 1;
        if (request.mustReject) problem(`${request.kind}: accepted (${status})`);
        else if (request.event === undefined) problem(`${request.kind}: ${status} for a request naming no event`);
        else {
          const key = `${request.event.provider}/${request.event.eventId}`;
          accepted.set(key, request.event);
          if (status === 202) {
            if (stored.has(key)) problem(`${request.kind}: a second 202 for one event`);
            stored.add(key);
            if (request.kind !== "replayed_signature") replayable.push(asWebhook(request));
          }
        }
      } else problem(`${request.kind}: ${status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  const alive = stack.child.exitCode === null && stack.child.signalCode === null;
  if (!alive) problem("the stack process died");
  const settle = await waitUntilSettled(stack.baseUrl, { timeoutMs: SETTLE_TIMEOUT_MS });
  const after = settle.stats;
  const written =
    Object.values(after.events).reduce((a, b) => a + b, 0) - Object.values(before.events).reduce((a, b) => a + b, 0);
  // Each distinct genuine event that got a 2xx (a 202, or a 200 duplicate to a retry after a 503) is stored once.
  if (written !== accepted.size) problem(`${written} events stored for ${accepted.size} answered 2xx`);
  const causes = unavailableCauses(logFile, context.prefix);
  const explained = Object.values(causes.byCause).reduce((a, b) => a + b, 0) - causes.unexplained;
  if (unavailable > explained)
    problem(`${unavailable - explained} answers 503 not explained by a slow call (${JSON.stringify(causes.byCause)})`);
  const account = await accountFor(stack.baseUrl, [...accepted.values()], before, after);
  return {
    scenario: "hostile input",
    parameters: `${count} generated requests, seed ${seed}, concurrency ${CONCURRENCY}`,
    eventsSent: stored.size,
    requestsSent: count,
    ...account,
    timeMs: performance.now() - startedMs,
    problems: [...problems].map(([what, times]) => `${times}× ${what}`),
    notes: [
      `answers ${JSON.stringify(codes)}; ${written} events stored, one per distinct 2xx`,
      ...(unavailable > 0
        ? [`${unavailable} answers 503 (${JSON.stringify(causes.byCause)}), sent again as a provider would`]
        : []),
    ],
  };
}

function send(baseUrl: string, request: HostileRequest, agent: Agent): Promise<Answer> {
  return new Promise((resolve) => {
    const url = new URL(request.path, baseUrl);
    // Always framed by a Content-Length: Node's client sends a DELETE body unframed, and the server's HTTP parser
    // then answers the leftover bytes with its own bodiless 400. That is HTTP framing, which API Gateway owns in AWS,
    // not the gateway's handling of hostile content.
    const headers = { ...request.headers, "content-length": String(request.body.length) };
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: request.path,
        method: request.method,
        agent,
        headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", () => resolve({ status: undefined, body: "" }));
      },
    );
    outgoing.on("error", () => resolve({ status: undefined, body: "" }));
    outgoing.end(request.body);
  });
}

function errorCode(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === "string" ? parsed.error : "(no error field)";
  } catch {
    return "(not JSON)";
  }
}

function asWebhook(request: HostileRequest): ChaosWebhook {
  const event = request.event as NonNullable<HostileRequest["event"]>;
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value]),
  );
  return { provider: event.provider, eventId: event.eventId, path: request.path, body: request.body, headers };
}
