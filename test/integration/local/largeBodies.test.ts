import { createHash } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { Webhook } from "standardwebhooks";
import { destinationIdFor } from "../../../local/localConfig.ts";
import { localSecret } from "../../../local/localSecrets.ts";
import type { OpsResources } from "../../../local/opsResources.ts";
import { LOCAL_BODY_BUCKET, localBodyS3Client } from "../../../local/services/bodyBucket.ts";
import { fetchEvent, waitUntilSettled } from "../../../local/stackClient.ts";
import { githubEventId, signedGithubWebhook } from "../../../local/webhookSigning.ts";
import { largeJsonBody, objectKeys } from "../../support/largeBodies.ts";
import { removeDataDir, type StackProcess, startStack } from "../../support/localStackProcess.ts";
import { type ScriptedConsumer, startScriptedConsumer } from "../../support/scriptedConsumer.ts";

// A 1 MB and a 5 MB GitHub push (commits with random hex ids: gzip cannot bring them under the inline limit, so both
// go to the body bucket) through the real stack process, to a destination that keeps each request's raw bytes.
const MB = 1_000_000;
const MAX_BODY_BYTES = 5 * 1024 * 1024; // the default maxBodyBytes

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

let consumer: ScriptedConsumer;
let stack: StackProcess;
let s3: S3Client;
beforeAll(async () => {
  consumer = await startScriptedConsumer();
  stack = await startStack({ env: { ONCEGATE_DESTINATIONS: consumer.url } });
  const resources = (await (await fetch(`${stack.baseUrl}/ops/resources`)).json()) as OpsResources;
  s3 = localBodyS3Client(resources.endpoints.sqs); // fauxqs serves S3 on the same address as SQS
});
afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
  if (stack) await removeDataDir(stack.dataDir);
  await consumer?.close();
});

async function post(body: string, deliveryId: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const signed = signedGithubWebhook({ secret: localSecret({}, "github"), deliveryId, eventType: "push", body });
  const response = await fetch(`${stack.baseUrl}/webhooks/github`, {
    method: "POST",
    headers: { "content-type": "application/json", ...signed.headers },
    body: signed.body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("large bodies through the local stack", () => {
  const cases = [
    { name: "1 MB", bytes: MB, deliveryId: "large-body-1mb", seed: 1 },
    { name: "5 MB", bytes: 5 * MB, deliveryId: "large-body-5mb", seed: 5 },
  ];

  test.each(cases)(
    "a $name GitHub push is accepted, DELIVERED byte-exact, with a verifiable signature",
    async ({ bytes, deliveryId, seed }) => {
      const body = largeJsonBody(bytes, seed);
      expect(Buffer.byteLength(body)).toBe(bytes);
      const before = consumer.requests.length;
      expect((await post(body, deliveryId)).status).toBe(202);
      await waitUntilSettled(stack.baseUrl, { timeoutMs: 30_000 });
      const view = await fetchEvent(stack.baseUrl, "github", githubEventId(deliveryId));
      expect(view?.status).toBe("DELIVERED");
      expect(view?.destinations[destinationIdFor(consumer.url)]).toMatchObject({ status: "DELIVERED", attempts: 1 });

      const received = consumer.requests.slice(before);
      expect(received).toHaveLength(1);
      const [request] = received;
      if (request === undefined) throw new Error("no request");
      expect(request.body.length).toBe(bytes);
      expect(sha256(request.body)).toBe(sha256(body));
      const verified = new Webhook(localSecret({}, "signing")).verify(request.body.toString("utf8"), request.headers);
      expect(verified).toEqual(JSON.parse(body));
    },
  );

  test("a duplicate of the 5 MB push is answered 200 duplicate and adds no object to the bucket", async () => {
    const keysBefore = await objectKeys(s3, LOCAL_BODY_BUCKET);
    expect(keysBefore.length).toBeGreaterThanOrEqual(2); // the two bodies above
    const before = consumer.requests.length;
    const answer = await post(largeJsonBody(5 * MB, 5), "large-body-5mb");
    expect(answer).toMatchObject({ status: 200, json: { duplicate: true } });
    expect((await objectKeys(s3, LOCAL_BODY_BUCKET)).sort()).toEqual([...keysBefore].sort());
    await waitUntilSettled(stack.baseUrl, { timeoutMs: 10_000 });
    expect(consumer.requests.length).toBe(before);
  });

  test("a body of 5 MiB + 1 byte is refused 413 payload_too_large", async () => {
    const keysBefore = await objectKeys(s3, LOCAL_BODY_BUCKET);
    const answer = await post(largeJsonBody(MAX_BODY_BYTES + 1, 7), "large-body-too-large");
    expect(answer).toMatchObject({ status: 413, json: { error: "payload_too_large" } });
    expect(await fetchEvent(stack.baseUrl, "github", githubEventId("large-body-too-large"))).toBeUndefined();
    expect((await objectKeys(s3, LOCAL_BODY_BUCKET)).length).toBe(keysBefore.length);
  });
});
