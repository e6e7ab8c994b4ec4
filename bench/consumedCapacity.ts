import type { ConsumedCapacity, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DESTINATION_CONTROL_PK_PREFIX } from "../lambdas/shared/destinationControl.ts";

/**
 * Capacity units each DynamoDB call consumed, as DynamoDB Local reports them (`ReturnConsumedCapacity: INDEXES`):
 * table and global secondary index units, separately. Used in an untimed pass only: asking for the capacity
 * changes the request. A call refused by its condition returns no capacity (DynamoDB still bills it, see the
 * cost model), so those are counted apart.
 */
export interface CapacityTally {
  /** Write request units on the table, summed over the calls. */
  tableWriteUnits: number;
  /** Write request units on global secondary indexes (the listing and problem indexes). */
  indexWriteUnits: number;
  /** Read request units (strongly consistent reads count 1 per 4 KB). */
  readUnits: number;
  /** Conditional writes refused by their condition (no capacity reported). */
  refusedWrites: number;
  /**
   * Units of the destinations' control items (pause, circuit breaker: `$destination#<id>`), apart: they are read once
   * a second per container and written on failures, not per event, so the model prices them on their own.
   */
  controlReadUnits: number;
  controlWriteUnits: number;
}

const READ_COMMANDS = new Set(["GetItemCommand", "QueryCommand", "ScanCommand", "BatchGetItemCommand"]);

export interface CapacityCounter {
  take(): CapacityTally;
}

let counters = 0;

/** Makes every call of `client` ask for its consumed capacity and adds it up. */
export function countCapacity(client: DynamoDBClient): CapacityCounter {
  let tally = emptyTally();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = "INDEXES";
      try {
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
          .ConsumedCapacity;
        const key = (args.input as { Key?: { pk?: { S?: string } } }).Key?.pk?.S ?? "";
        const control = key.startsWith(DESTINATION_CONTROL_PK_PREFIX);
        for (const capacity of [consumed ?? []].flat()) {
          if (control) {
            if (READ_COMMANDS.has(command)) tally.controlReadUnits += capacity.CapacityUnits ?? 0;
            else tally.controlWriteUnits += capacity.CapacityUnits ?? 0;
          } else add(tally, capacity, READ_COMMANDS.has(command));
        }
        return result;
      } catch (error) {
        if ((error as { name?: string }).name === "ConditionalCheckFailedException") tally.refusedWrites++;
        throw error;
      }
    },
    { step: "initialize", name: `oncegateCapacityCounter${counters++}` },
  );
  return {
    take() {
      const taken = tally;
      tally = emptyTally();
      return taken;
    },
  };
}

function emptyTally(): CapacityTally {
  return {
    tableWriteUnits: 0,
    indexWriteUnits: 0,
    readUnits: 0,
    refusedWrites: 0,
    controlReadUnits: 0,
    controlWriteUnits: 0,
  };
}

function add(tally: CapacityTally, capacity: ConsumedCapacity, isRead: boolean): void {
  if (isRead) {
    tally.readUnits += capacity.CapacityUnits ?? 0;
    return;
  }
  const indexUnits = Object.values(capacity.GlobalSecondaryIndexes ?? {}).reduce(
    (sum, index) => sum + (index.CapacityUnits ?? 0),
    0,
  );
  tally.tableWriteUnits += capacity.Table?.CapacityUnits ?? (capacity.CapacityUnits ?? 0) - indexUnits;
  tally.indexWriteUnits += indexUnits;
}

/** A tally divided by the units of work it covered. */
export function capacityPerUnit(tally: CapacityTally, units: number): CapacityTally {
  return {
    tableWriteUnits: tally.tableWriteUnits / units,
    indexWriteUnits: tally.indexWriteUnits / units,
    readUnits: tally.readUnits / units,
    refusedWrites: tally.refusedWrites / units,
    controlReadUnits: tally.controlReadUnits / units,
    controlWriteUnits: tally.controlWriteUnits / units,
  };
}
