import { randomUUID } from "node:crypto";
import { signStandardWebhook } from "../../lambdas/intake/signatures/standard.ts";

/** A Standard Webhooks request, ready for `fetch`. */
export interface SignedWebhookRequest {
  url: string;
  init: { method: "POST"; headers: Record<string, string>; body: string };
}

export interface DemoWebhookInput {
  /** The stack's `IntakeUrl` output (`https://…/webhooks/`). */
  intakeUrl: string;
  /** The provider's name in the configuration. @default "demo" */
  provider?: string;
  /** The value of the provider's secret (`whsec_…` or bare base64). */
  secret: string;
  /** @default a new `evt_<uuid>` */
  eventId?: string;
  /** @default the current time */
  nowMs?: number;
}

/** A test event for a `standard` provider, signed the way a Standard Webhooks sender signs it. */
export function demoWebhook(input: DemoWebhookInput): SignedWebhookRequest {
  const eventId = input.eventId ?? `evt_${randomUUID()}`;
  const timestampSec = Math.floor((input.nowMs ?? Date.now()) / 1000);
  const body = JSON.stringify({ type: "demo.ping", id: eventId, sentAt: new Date(timestampSec * 1000).toISOString() });
  const base = input.intakeUrl.endsWith("/") ? input.intakeUrl : `${input.intakeUrl}/`;
  return {
    url: `${base}${encodeURIComponent(input.provider ?? "demo")}`,
    init: {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": eventId,
        "webhook-timestamp": String(timestampSec),
        "webhook-signature": signStandardWebhook({ id: eventId, timestampSec, body, secret: input.secret }),
      },
      body,
    },
  };
}
