import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { localCredentials } from "../../local/dynamoDbLocal.ts";
import { type CapacityTally, capacityPerUnit, countCapacity } from "../consumedCapacity.ts";
import { itemSizeBytes } from "../dynamoItemSize.ts";
import {
  buildIntake,
  firstDeliveries,
  type IntakeName,
  type IntakeSetup,
  type IntakeUnderTest,
  retriedDeliveries,
} from "./intakeContenders.ts";
import { PROVIDER } from "./stripeEvents.ts";

/** Capacity units and item size of one intake, measured in an untimed pass (asking for capacity changes requests). */
export interface IntakeCapacity {
  /** Size of a stored event's state item by DynamoDB's sizing rules (its body is an item of its own). */
  itemBytes: number;
  perAccepted: CapacityTally;
  perDuplicate: CapacityTally;
  /** Bytes of the JSON log line the handler writes (0 for the floor, which logs nothing). */
  logBytesPerAccepted: number;
  logBytesPerDuplicate: number;
}

export interface CapacityPassResult {
  bodyBytes: number;
  events: number;
  intake: IntakeCapacity;
  floor: IntakeCapacity;
  /** The intake built for this pass, its `events` accepted jobs still on its queue: the delivery pass drains them. */
  accepted: IntakeUnderTest;
}

/** Sends `events` new events and `events` retries of them through each intake, adding up consumed capacity. */
export async function capacityPass(
  setup: IntakeSetup,
  endpoints: { dynamoDb: string; sqs: string },
  events: number,
): Promise<CapacityPassResult> {
  const measured = {} as Record<IntakeName, { capacity: IntakeCapacity; intake: IntakeUnderTest }>;
  for (const name of ["intake", "floor"] as const) {
    const ddb = new DynamoDBClient({
      endpoint: endpoints.dynamoDb,
      region: "us-east-1",
      credentials: localCredentials,
    });
    let logBytes = 0;
    const logger = (line: Record<string, unknown>) => {
      logBytes += Buffer.byteLength(JSON.stringify(line), "utf8");
    };
    const intake = await buildIntake(name, setup, endpoints, { ddb, logger });
    const capacity = countCapacity(ddb);
    const first = firstDeliveries(intake, setup);
    for (let i = 0; i < events; i++) await first.invoke(first.prepare());
    const perAccepted = capacityPerUnit(capacity.take(), events);
    const logBytesPerAccepted = logBytes / events;
    logBytes = 0;
    const retried = retriedDeliveries(intake, setup);
    for (let i = 0; i < events; i++) await retried.invoke(retried.prepare());
    const perDuplicate = capacityPerUnit(capacity.take(), events);
    const logBytesPerDuplicate = logBytes / events;
    const itemBytes = await storedItemBytes(endpoints.dynamoDb, intake.eventsTable, intake.acceptedIds[0] ?? "");
    measured[name] = {
      capacity: { itemBytes, perAccepted, perDuplicate, logBytesPerAccepted, logBytesPerDuplicate },
      intake,
    };
  }
  measured.floor.intake.ddb.destroy();
  measured.floor.intake.sqs.destroy();
  return {
    bodyBytes: setup.bodyBytes,
    events,
    intake: measured.intake.capacity,
    floor: measured.floor.capacity,
    accepted: measured.intake.intake,
  };
}

/** Size of the stored item `sk` (its state by default) of `eventId`, by DynamoDB's sizing rules. */
export async function storedItemBytes(
  endpoint: string,
  tableName: string,
  eventId: string,
  sk = "state",
): Promise<number> {
  const reader = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: localCredentials });
  try {
    const { Item } = await reader.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: `${PROVIDER}#${eventId}` }, sk: { S: sk } },
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) throw new Error(`event ${eventId} was answered 202 but has no ${sk} in ${tableName}`);
    return itemSizeBytes(Item);
  } finally {
    reader.destroy();
  }
}
