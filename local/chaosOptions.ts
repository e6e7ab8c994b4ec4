import { parseArgs } from "node:util";
import { CHAOS_PROVIDERS, type ChaosProvider } from "./chaosWebhooks.ts";
import { UsageError } from "./cliUsage.ts";
import { LOCAL_DEFAULTS, LOCAL_ENV } from "./localEnvironment.ts";

/** What `npm run chaos` was asked for. */
export interface ChaosOptions {
  eventId: string;
  /** Deliveries of each event. */
  count: number;
  concurrency: number;
  provider: ChaosProvider;
  /** Distinct events: `eventId` itself for 1, else `<eventId>-1` … `<eventId>-N`. */
  events: number;
  baseUrl: string;
  /** How long to wait for delivery to settle. */
  timeoutSeconds: number;
}

export const CHAOS_USAGE = `usage: npm run chaos -- <eventId> [--count 50] [--concurrency 50] [--provider stripe] [--events 1]
                       [--url http://127.0.0.1:4000] [--timeout 60]

  <eventId>          id of the event to send (a new one is accepted once; a known one is a duplicate)
  --count <n>        deliveries of each event, all identical (default 50)
  --concurrency <n>  requests in flight at once (default 50)
  --provider <name>  ${CHAOS_PROVIDERS.join(", ")} (default stripe)
  --events <n>       distinct events <eventId>-1 … <eventId>-n, each sent --count times (default 1: <eventId> itself)
  --url <url>        the stack (default http://127.0.0.1:$ONCEGATE_PORT, port ${LOCAL_DEFAULTS.port})
  --timeout <s>      how long to wait for delivery to settle (default 60)`;

/** @throws UsageError for a missing event id, an unknown flag or a bad value */
export function parseChaosOptions(argv: string[], env: Readonly<Record<string, string | undefined>>): ChaosOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [eventId, ...extra] = positionals;
  if (eventId === undefined || eventId === "") throw new UsageError("an event id is required, e.g. evt_test_1");
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const provider = values.provider ?? "stripe";
  if (!(CHAOS_PROVIDERS as readonly string[]).includes(provider)) {
    throw new UsageError(`--provider must be one of ${CHAOS_PROVIDERS.join(", ")}, got ${JSON.stringify(provider)}`);
  }
  const port = env[LOCAL_ENV.port]?.trim() || String(LOCAL_DEFAULTS.port);
  const baseUrl = values.url ?? `http://127.0.0.1:${port}`;
  if (!URL.canParse(baseUrl)) throw new UsageError(`--url must be an absolute URL, got ${JSON.stringify(baseUrl)}`);
  return {
    eventId,
    count: positive(values.count, "--count", 50),
    concurrency: positive(values.concurrency, "--concurrency", 50),
    provider: provider as ChaosProvider,
    events: positive(values.events, "--events", 1),
    baseUrl: new URL(baseUrl).origin,
    timeoutSeconds: positive(values.timeout, "--timeout", 60),
  };
}

/** The ids of the events a run sends. */
export function chaosEventIds(options: Pick<ChaosOptions, "eventId" | "events">): string[] {
  if (options.events === 1) return [options.eventId];
  return Array.from({ length: options.events }, (_, index) => `${options.eventId}-${index + 1}`);
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      count: { type: "string" },
      concurrency: { type: "string" },
      provider: { type: "string" },
      events: { type: "string" },
      url: { type: "string" },
      timeout: { type: "string" },
    },
  });
}

function positive(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag} must be a whole number ≥ 1, got ${JSON.stringify(text)}`);
  }
  return value;
}
