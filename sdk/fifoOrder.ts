import type { SqsRecordLike } from "./eventShape.ts";

/**
 * AWS's rule for partial batch responses on FIFO queues: once one record of a message group fails, every later
 * record of that group must be reported too, or SQS would delete them and redeliver the failed one after them, out
 * of order. Records of other groups go on. (Lambda developer guide, "Handling errors for an SQS event source":
 * "your function should stop processing messages after the first failure and return all failed and unprocessed
 * messages in batchItemFailures".) Pure: no I/O.
 */

/** The record's FIFO message group, or undefined on a standard queue. */
export function messageGroupOf(record: SqsRecordLike): string | undefined {
  const group = record.attributes?.MessageGroupId;
  return typeof group === "string" && group !== "" ? group : undefined;
}

/**
 * The message ids to report, in batch order: those already reported, plus, for each FIFO group, every record
 * after the group's first reported one.
 */
export function reportedWithLaterGroupRecords(
  records: readonly SqsRecordLike[],
  reported: ReadonlySet<string>,
): string[] {
  const stoppedGroups = new Set<string>();
  const out: string[] = [];
  for (const record of records) {
    const group = messageGroupOf(record);
    const stopped = group !== undefined && stoppedGroups.has(group);
    if (reported.has(record.messageId) || stopped) {
      out.push(record.messageId);
      if (group !== undefined) stoppedGroups.add(group);
    }
  }
  return out;
}

/**
 * Splits a batch into lanes that may be claimed in parallel: one lane per FIFO group (its records in order), and
 * each record of a standard queue alone.
 */
export function claimLanes(records: readonly SqsRecordLike[]): SqsRecordLike[][] {
  const lanes = new Map<string, SqsRecordLike[]>();
  const out: SqsRecordLike[][] = [];
  for (const record of records) {
    const group = messageGroupOf(record);
    if (group === undefined) {
      out.push([record]);
      continue;
    }
    let lane = lanes.get(group);
    if (!lane) {
      lane = [];
      lanes.set(group, lane);
      out.push(lane);
    }
    lane.push(record);
  }
  return out;
}
