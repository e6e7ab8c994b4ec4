import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { handler, intakeHandlerFromEnvironment } from "../../../../lambdas/intake/handler.ts";
import { ENV } from "../../../../lambdas/shared/environment.ts";
import { InvalidConfigurationError } from "../../../../lambdas/shared/errors.ts";
import { allProvidersConfig } from "../../../support/gatewayFixtures.ts";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import { githubWebhook } from "../../../support/signedWebhooks.ts";

let h: IntakeHarness;
let validEnv: Record<string, string>;
const saved = { ...process.env };
beforeAll(async () => {
  h = await startIntakeHarness();
  validEnv = {
    ...h.env,
    [ENV.config]: JSON.stringify(allProvidersConfig()),
    [ENV.eventsTable]: h.eventsTable,
    [ENV.deliveryQueueUrl]: h.queue.queueUrl,
    [ENV.bodyBucket]: "oncegate-bodies",
  };
});
afterAll(async () => {
  // Test files share their worker's process.env: put it back as it was.
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  await h.stop();
});

describe("intake cold start", () => {
  test("fails the default handler with the invalid field named when ONCEGATE_CONFIG is invalid", async () => {
    const config = allProvidersConfig();
    Object.assign(config.providers, { stripe: { scheme: "stripe", secrets: [{ value: "whsec_inline" }] } });
    Object.assign(process.env, validEnv, { [ENV.config]: JSON.stringify(config) });
    const event = githubWebhook({ secret: h.credentials.github, deliveryId: randomUUID() });
    const failure = handler(event);
    await expect(failure).rejects.toThrow(InvalidConfigurationError);
    await expect(failure).rejects.toThrow("providers.stripe.secrets[0].value: unknown field");
  });

  test.each([
    ["ONCEGATE_CONFIG is not JSON", { [ENV.config]: "{providers:" }, "ONCEGATE_CONFIG: not valid JSON"],
    ["ONCEGATE_CONFIG is missing", { [ENV.config]: undefined }, "ONCEGATE_CONFIG: environment variable is not set"],
    ["the table name is missing", { [ENV.eventsTable]: "" }, "ONCEGATE_EVENTS_TABLE: environment variable is not set"],
    ["the queue URL is missing", { [ENV.deliveryQueueUrl]: undefined }, "ONCEGATE_DELIVERY_QUEUE_URL: environment"],
    ["the body bucket is missing", { [ENV.bodyBucket]: "" }, "ONCEGATE_BODY_BUCKET: environment variable is not set"],
    [
      "the queue URL template holds {destination} outside the queue's name",
      { [ENV.deliveryQueueUrl]: "https://sqs.us-east-1.amazonaws.com/{destination}/jobs" },
      "ONCEGATE_DELIVERY_QUEUE_URL: {destination} must be in the queue's name",
    ],
    [
      "the retry override is invalid",
      { [ENV.retrySchedule]: "1,x" },
      'ONCEGATE_RETRY_SCHEDULE: Invalid retry schedule: entry 2 is "x"',
    ],
    [
      "a destination URL is plain http to a public host",
      {
        [ENV.config]: JSON.stringify(
          allProvidersConfig({
            destinations: [{ id: "d", url: "http://example.com", signingSecrets: [{ env: "X" }] }],
          }),
        ),
      },
      "destinations[0].url: expected https:",
    ],
  ])("fails when %s, naming it", (_label, change, message) => {
    expect(() => intakeHandlerFromEnvironment({ ...validEnv, ...change })).toThrow(message);
  });

  test("builds a working handler from a valid environment, reading secrets from it, and logs one JSON line", async () => {
    Object.assign(process.env, validEnv, { AWS_ENDPOINT_URL_SQS: h.local.endpoint });
    // The default handler logs as it does in Lambda (console.info for an info line): captured, not leaked.
    const lines: string[] = [];
    const info = jest.spyOn(console, "info").mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    try {
      const deliveryId = randomUUID();
      const answer = await handler(githubWebhook({ secret: h.credentials.github, deliveryId }));
      expect(answer.statusCode).toBe(202);
      expect(await h.takeJobs()).toHaveLength(2);
    } finally {
      info.mockRestore();
    }
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: "info", msg: "oncegate.intake", outcome: "accepted", status: 202 }),
    ]);
  });
});
