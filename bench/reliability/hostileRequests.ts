import { randomBytes } from "node:crypto";
import { GATEWAY_CONFIG_DEFAULTS } from "../../lambdas/shared/parseGatewayConfig.ts";
import { CHAOS_PROVIDERS, type ChaosProvider, type ChaosWebhook } from "../../local/chaosWebhooks.ts";
import { pick, randomInt } from "../../local/seededRandom.ts";
import { type MarkedSigningContext, markedWebhook } from "./markedWebhooks.ts";

/** One generated request: raw enough to carry duplicated headers and bytes no client library would send. */
export interface HostileRequest {
  kind: string;
  method: string;
  path: string;
  /** Name → one value, or several (sent as repeated header lines). */
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** True when no 2xx is acceptable: a forgery, a stale or future timestamp, a body over the limit… */
  mustReject: boolean;
  /** The event it names when it is genuinely signed (a 2xx then must have stored exactly this). */
  event?: { provider: ChaosProvider; eventId: string };
}

/** The signature header of each scheme. */
const SIGNATURE_HEADER: Record<ChaosProvider, string> = {
  stripe: "stripe-signature",
  github: "x-hub-signature-256",
  shopify: "x-shopify-hmac-sha256",
  standard: "webhook-signature",
  keygen: "keygen-signature",
};
const TIMESTAMPED: readonly ChaosProvider[] = ["stripe", "standard", "keygen"];
/** Schemes whose event id is in the JSON body, where any unicode fits (the others carry it in a header). */
const ID_IN_BODY: readonly ChaosProvider[] = ["stripe", "keygen"];
// The default limit (5 MiB): a body one byte to 4 KB above it must be refused 413.
const MAX_BODY_BYTES = GATEWAY_CONFIG_DEFAULTS.maxBodyBytes;
const TEN_MINUTES_MS = 10 * 60_000;

export interface HostileContext extends Omit<MarkedSigningContext, "nowMs"> {
  random: () => number;
  /** Names the genuine events uniquely within the run. */
  prefix: string;
}

/**
 * Request number `index`. The kinds follow the threat model (docs/SECURITY.md): malformed JSON, wrong content types,
 * bodies over the limit, truncated, forged and replayed signatures, stale and future timestamps, odd event ids,
 * duplicated and oversized headers, unknown providers and methods, random bytes.
 */
export function hostileRequest(index: number, context: HostileContext, replayable: ChaosWebhook[]): HostileRequest {
  const { random } = context;
  const provider = pick(random, CHAOS_PROVIDERS);
  const eventId = `${context.prefix}-${index}`;
  const sign = (
    options: { id?: string; body?: string | Buffer; nowMs?: number; env?: MarkedSigningContext["env"] } = {},
  ) =>
    markedWebhook(
      provider,
      options.id ?? eventId,
      { ...context, nowMs: options.nowMs ?? Date.now(), env: options.env ?? context.env },
      options.body,
    );
  const from = (kind: string, webhook: ChaosWebhook, mustReject: boolean, genuine: boolean): HostileRequest => ({
    kind,
    method: "POST",
    path: webhook.path,
    headers: { ...webhook.headers },
    body: Buffer.from(webhook.body),
    mustReject,
    ...(genuine ? { event: { provider, eventId: webhook.eventId } } : {}),
  });
  const kind = pick(random, KINDS);
  switch (kind) {
    case "malformed_json": {
      const body = pick(random, ['{"id": "x",', "not json", "{", "[1,2", '{"id":}', "\u0000\u0001", ""]);
      // Signed correctly: only the schemes that read the id from the body must refuse it.
      return from(kind, sign({ body }), ID_IN_BODY.includes(provider), true);
    }
    case "wrong_content_type": {
      const request = from(kind, sign(), false, true);
      const type = pick(random, ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""]);
      if (type === "") delete request.headers["content-type"];
      else request.headers["content-type"] = type;
      return request;
    }
    case "over_limit": {
      const filler = "x".repeat(MAX_BODY_BYTES + randomInt(random, 1, 4096));
      return from(kind, sign({ body: JSON.stringify({ id: eventId, filler, note: context.marker }) }), true, false);
    }
    case "truncated_signature": {
      const request = from(kind, sign(), true, false);
      const name = SIGNATURE_HEADER[provider];
      const value = String(request.headers[name]);
      request.headers[name] = value.slice(0, randomInt(random, 0, value.length - 1));
      return request;
    }
    case "forged_signature": {
      const request = from(kind, sign({ env: FORGER_SECRETS }), true, false);
      if (provider === "keygen") {
        const name = SIGNATURE_HEADER.keygen;
        const forged = randomBytes(64).toString("base64");
        request.headers[name] = String(request.headers[name]).replace(/signature="[^"]*"/, `signature="${forged}"`);
      }
      return request;
    }
    case "tampered_body": {
      const request = from(kind, sign(), true, false);
      const at = randomInt(random, 0, request.body.length - 1);
      request.body[at] = (request.body[at] ?? 0) ^ 0x01;
      return request;
    }
    case "replayed_signature": {
      const original = replayable.length > 0 ? pick(random, replayable) : undefined;
      if (original === undefined) return from("genuine", sign(), false, true);
      return {
        kind,
        method: "POST",
        path: original.path,
        headers: { ...original.headers },
        body: Buffer.from(original.body),
        mustReject: false,
        event: { provider: original.provider, eventId: original.eventId },
      };
    }
    case "stale_timestamp":
    case "future_timestamp": {
      const timed = pick(random, TIMESTAMPED);
      const shift = kind === "stale_timestamp" ? -TEN_MINUTES_MS : TEN_MINUTES_MS;
      const webhook = markedWebhook(timed, eventId, { ...context, nowMs: Date.now() + shift });
      return { ...from(kind, webhook, true, false) };
    }
    case "odd_event_id": {
      const inBody = pick(random, ID_IN_BODY);
      const id = pick(random, oddIds(eventId));
      const webhook = markedWebhook(inBody, id, { ...context, nowMs: Date.now() });
      const bytes = Buffer.byteLength(id);
      return {
        kind,
        method: "POST",
        path: webhook.path,
        headers: { ...webhook.headers },
        body: Buffer.from(webhook.body),
        mustReject: bytes === 0 || bytes > 1024,
        event: { provider: inBody, eventId: id },
      };
    }
    case "duplicated_headers": {
      const request = from(kind, sign(), false, true);
      const name = SIGNATURE_HEADER[provider];
      const valid = String(request.headers[name]);
      request.headers[name] = random() < 0.5 ? [valid, "sha256=00ff"] : [valid, valid];
      request.headers["content-type"] = ["application/json", "text/plain"];
      return request;
    }
    case "oversized_headers": {
      const request = from(kind, sign(), false, true);
      for (let header = 0; header < randomInt(random, 1, 6); header++)
        request.headers[`x-padding-${header}`] = "p".repeat(randomInt(random, 256, 1500));
      return request;
    }
    case "unknown_provider":
      return {
        ...from(kind, sign(), true, false),
        path: pick(random, ["/webhooks/nope", "/webhooks/STRIPE", "/webhooks/%00"]),
      };
    case "wrong_method":
      return { ...from(kind, sign(), true, false), method: pick(random, ["PUT", "DELETE", "PATCH"]) };
    default: {
      const headers: Record<string, string> = { "content-type": "application/octet-stream" };
      headers[SIGNATURE_HEADER[provider]] = randomBytes(randomInt(random, 0, 64)).toString("base64");
      return {
        kind: "random_bytes",
        method: "POST",
        path: `/webhooks/${provider}`,
        headers,
        body: randomBytes(randomInt(random, 0, 2048)),
        mustReject: true,
      };
    }
  }
}

const KINDS = [
  "malformed_json",
  "wrong_content_type",
  "over_limit",
  "truncated_signature",
  "forged_signature",
  "tampered_body",
  "replayed_signature",
  "stale_timestamp",
  "future_timestamp",
  "odd_event_id",
  "duplicated_headers",
  "oversized_headers",
  "unknown_provider",
  "wrong_method",
  "random_bytes",
] as const;

/** Secrets no configuration holds: what a forger without the real secret signs with. */
const FORGER_SECRETS = {
  STRIPE_WEBHOOK_SECRET: "whsec_forger",
  GITHUB_WEBHOOK_SECRET: "forger",
  SHOPIFY_WEBHOOK_SECRET: "forger",
  STANDARD_WEBHOOK_SECRET: `whsec_${Buffer.from("forger").toString("base64")}`,
};

/** Ids with separators, percent signs, unicode, exactly 1 024 bytes, one byte more, and none at all. */
function oddIds(base: string): string[] {
  return [
    `${base}#stripe#x`,
    `${base}/../admin`,
    `${base}%2F%23`,
    `${base}-ünïcødé-日本-🦄`,
    `${base} with spaces`,
    `${base}-${"k".repeat(1024 - base.length - 1)}`,
    `${base}-${"k".repeat(1025 - base.length)}`,
    "",
  ];
}
