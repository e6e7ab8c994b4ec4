import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { Grant, type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LIST_INDEX_NAME, PROBLEM_INDEX_NAME, SWEEP_INDEX_NAME } from "../../../lambdas/shared/eventRecord.ts";

/**
 * The IAM actions of each gateway function, each list being exactly the AWS calls its code makes (the `…Command`s
 * it sends), on exactly the resource it calls them on. No wildcard action, no wildcard resource.
 */
export const GATEWAY_ACTIONS = {
  /**
   * `acceptEvent` (conditional PutItem of the state; a duplicate comes back with the refusal, no GetItem),
   * `storeBody` (conditional PutItem of the body), the replay marker's PutItem, and `markQueued`.
   */
  intakeTable: ["dynamodb:PutItem", "dynamodb:UpdateItem"],
  /** `enqueueJobs` sends SendMessageBatch, which IAM authorizes as `sqs:SendMessage`. */
  enqueue: ["sqs:SendMessage"],
  /**
   * `readEvent` and `readBody` (GetItem), `recordDestinationTransition` and `writeOverallStatus` (UpdateItem), and
   * the attempt items of attempts that leave their destination PENDING (PutItem).
   */
  deliveryTable: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"],
  /** The event source mapping polls and deletes; the handler delays a retry with ChangeMessageVisibility. */
  deliveryQueue: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
  /** `readEvent` and `hasBody` (GetItem), `markQueued` and `leaveSweepIndex` (UpdateItem) on the table… */
  sweeperTable: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
  /** …and `findStuckReceived`, a Query on the sweep index only. */
  sweeperIndex: ["dynamodb:Query"],
  /**
   * The dead-letter pass on the dead-letter queue: its depth, the dead jobs, and handing them back at once
   * (ChangeMessageVisibilityBatch, which IAM authorizes as `sqs:ChangeMessageVisibility`). No DeleteMessage: the
   * dead jobs are the operators'.
   */
  sweeperDeadLetters: ["sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:ChangeMessageVisibility"],
  /**
   * For operators' tools: read an event and its attempts (`readEventHistory`: GetItem, Query on the table), list
   * events (`listEvents`: Query on the listing and problem indexes, BatchGetItem of their states) and stuck ones
   * (Query on the sweep index).
   */
  readEvents: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
  /** For operators: move dead jobs back to the delivery queue (`aws sqs start-message-move-task`). */
  redriveDeadLetters: [
    "sqs:StartMessageMoveTask",
    "sqs:ListMessageMoveTasks",
    "sqs:CancelMessageMoveTask",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
  ],
  /**
   * `oncegate dlq list` and `dlq redrive` on the dead-letter queue: receive (and give back), delete once re-sent,
   * the count for the progress bar, and SQS's move task for a whole-queue redrive (StartMessageMoveTask also needs
   * SendMessage on the delivery queue, which `enqueue` grants).
   */
  operateDeadLetters: [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:StartMessageMoveTask",
    "sqs:ListMessageMoveTasks",
  ],
  /**
   * On the events table: `markRedriven` and `markReplayed` (`readEvent`, `recordDestinationTransition`,
   * `writeOverallStatus`), `events show` (GetItem, Query of an event's attempt items), `events list` (BatchGetItem
   * of the listed states). No Scan, no DeleteItem, no PutItem.
   */
  operateEvents: ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
  /** On the listing and problem indexes (not the sweep index): `events list`, `recover`, `stats`, a key's lookup. */
  listEvents: ["dynamodb:Query"],
} as const;

/** The ARN of the sweep index, the only index a gateway function queries. */
export function sweepIndexArn(table: ITable): string {
  return `${table.tableArn}/index/${SWEEP_INDEX_NAME}`;
}

/** The ARNs of every index of the events table (sweep, listing, problem): what an operator's tool queries. */
export function eventIndexArns(table: ITable): string[] {
  return [SWEEP_INDEX_NAME, LIST_INDEX_NAME, PROBLEM_INDEX_NAME].map((name) => `${table.tableArn}/index/${name}`);
}

/** The ARNs of the indexes an operator lists events from: the listing index and the problem index. */
export function listingIndexArns(table: ITable): string[] {
  return [LIST_INDEX_NAME, PROBLEM_INDEX_NAME].map((name) => `${table.tableArn}/index/${name}`);
}

/** Adds `actions` on `resources` to `grantee`'s policy. */
export function allow(grantee: IGrantable, actions: readonly string[], resources: string[]): Grant {
  return Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: resources });
}

/** `actions` on `resources` as one statement (for a managed policy, which is no grantee). */
export function statement(actions: readonly string[], resources: string[]): PolicyStatement {
  return new PolicyStatement({ actions: [...actions], resources });
}
