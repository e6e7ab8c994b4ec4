import { describe, expect, test } from "@jest/globals";
import { demoWebhook } from "../../infra/scripts/demoWebhook.ts";
import { providerOf } from "../../lambdas/intake/intakeRequest.ts";
import { verifyStandard } from "../../lambdas/intake/signatures/standard.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW_MS = 1_767_225_600_000;

describe("demoWebhook (the README's test sender)", () => {
  test("signs a request the intake's Standard Webhooks verifier accepts, under the event's id", () => {
    const request = demoWebhook({
      intakeUrl: "https://api.example.com/webhooks/",
      secret: SECRET,
      eventId: "evt_1",
      nowMs: NOW_MS,
    });
    const verified = verifyStandard(
      {
        rawBody: Buffer.from(request.init.body),
        headers: request.init.headers,
        method: "POST",
        rawPath: "/webhooks/demo",
      },
      { secrets: [SECRET] },
      NOW_MS,
    );
    expect(verified).toEqual({ ok: true, eventId: "evt_1" });
  });

  test("posts to the intake URL followed by the provider's name", () => {
    const request = demoWebhook({ intakeUrl: "https://api.example.com/webhooks", secret: SECRET, provider: "partner" });
    expect(request.url).toBe("https://api.example.com/webhooks/partner");
    expect(providerOf({ rawPath: new URL(request.url).pathname })).toBe("partner");
  });
});
