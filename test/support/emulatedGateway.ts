import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { DESTINATION_PLACEHOLDER } from "../../lambdas/shared/jobQueueUrl.ts";
import { LOCAL_REGION, OPS_RESOURCES_FORMAT, type OpsResources } from "../../local/opsResources.ts";
import { ensureDeadLetterQueue } from "../../local/sqsQueues.ts";
import { createEventsTable } from "./deliveryEvents.ts";
import { deleteTable, localClient } from "./dynamoDbTables.ts";
import { type LocalSqs, loopbackQueueUrl, startLocalSqs } from "./fauxqs.ts";

/**
 * A gateway's resources on the emulators of this test process, without a whole stack: an events table on the
 * harness's DynamoDB Local, one job queue per destination (and a dead-letter queue) on an in-process fauxqs, and
 * the local stack's `GET /ops/resources` naming them, so that `localTarget(url)` and the CLI's `--local <url>`
 * work on them as on `npm start`. No delivery runs: the queues hold what a test puts there.
 */
export interface EmulatedGateway {
  /** Where `GET /ops/resources` answers: pass it to `--local`. */
  url: string;
  sqs: LocalSqs;
  ddb: ReturnType<typeof localClient>;
  eventsTable: string;
  queueUrlOf(destination: string): string;
  stop(): Promise<void>;
}

export async function startEmulatedGateway(destinationIds: readonly string[]): Promise<EmulatedGateway> {
  const sqs = await startLocalSqs();
  const ddb = localClient();
  const eventsTable = await createEventsTable(ddb, "ops-destinations");
  const prefix = `jobs-${randomUUID().slice(0, 8)}-`;
  const queueUrls = new Map<string, string>();
  for (const id of destinationIds) {
    const out = await sqs.sqs.send(new CreateQueueCommand({ QueueName: `${prefix}${id}` }));
    queueUrls.set(id, loopbackQueueUrl(out.QueueUrl ?? "", sqs.endpoint));
  }
  const dlq = await ensureDeadLetterQueue(sqs.sqs, `${prefix}dlq`, sqs.endpoint);
  const accountPath = dlq.dlqUrl.slice(0, dlq.dlqUrl.lastIndexOf("/") + 1);
  const resources: OpsResources = {
    format: OPS_RESOURCES_FORMAT,
    region: LOCAL_REGION,
    endpoints: { dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? "", sqs: sqs.endpoint },
    eventsTable,
    deliveryQueueUrl: `${accountPath}${prefix}${DESTINATION_PLACEHOLDER}`,
    deadLetterQueueUrl: dlq.dlqUrl,
    deadLetterQueueArn: dlq.dlqArn,
    retryScheduleSeconds: [1, 1],
    peakEventsPerSecond: 1000,
    destinationIds: [...destinationIds],
    demoConsumer: { idempotencyTable: "demo-idempotency", scope: "demo-consumer" },
  };
  const server = createServer((request, response) => {
    const found = request.url === "/ops/resources";
    response.writeHead(found ? 200 : 404, { "content-type": "application/json" });
    response.end(found ? JSON.stringify(resources) : "{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sqs,
    ddb,
    eventsTable,
    queueUrlOf(destination) {
      const url = queueUrls.get(destination);
      if (url === undefined) throw new Error(`no queue for destination ${destination}`);
      return url;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sqs.stop();
      await deleteTable(ddb, eventsTable);
      ddb.destroy();
    },
  };
}
