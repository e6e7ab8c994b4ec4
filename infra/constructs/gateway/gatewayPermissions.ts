import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { Grant, type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LIST_INDEX_NAME, PROBLEM_INDEX_NAME } from "../../../lambdas/shared/eventRecord.ts";

/**
 * The IAM actions of each gateway function, each list being exactly the AWS calls its code makes (the `…Command`s
 * it sends), on exactly the resource it calls them on: every destination's job queue or dead-letter queue, listed.
 * No wildcard action, no wildcard resource.
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
  /**
   * On the table: `readEvent`, `hasBody` and `readWatermark` (GetItem), `statesOf` (BatchGetItem of the walked
   * entries' states), `markQueued`, `advanceWatermark` and the dead-letter pass's `markDeadLettered` (UpdateItem)…
   */
  sweeperTable: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem"],
  /** …and the walk from the watermark, a Query on the listing index only. */
  sweeperIndex: ["dynamodb:Query"],
  /**
   * The dead-letter pass on the dead-letter queue: its depth, the dead jobs, and handing them back at once
   * (ChangeMessageVisibilityBatch, which IAM authorizes as `sqs:ChangeMessageVisibility`). No DeleteMessage: the
   * dead jobs are the operators'.
   */
  sweeperDeadLetters: ["sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:ChangeMessageVisibility"],
  /**
   * For operators' tools: read an event and its attempts (`readEventHistory`: GetItem, Query on the table), list
   * events (`listEvents`: Query on the listing and problem indexes, BatchGetItem of their states).
   */
  readEvents: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
  /**
   * For the operator console's overview: the gateway's metric counts over time (namespace `Oncegate`). GetMetricData
   * has no resource-level permissions (and `cloudwatch:namespace` conditions PutMetricData only), so its resource is
   * `*`: it reads metric values, never logs or data.
   */
  readMetrics: ["cloudwatch:GetMetricData"],
  /** For operators: move dead jobs back to their job queue (`aws sqs start-message-move-task`). */
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
   * SendMessage on the job queue, which `enqueue` grants).
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
  /** On the listing and problem indexes: `events list`, `recover`, `stats`, a key's lookup. */
  listEvents: ["dynamodb:Query"],
  /**
   * `destinations pause` and `resume` on each destination's event source mapping: read its state, and disable or
   * enable it (its jobs wait in its queue meanwhile).
   */
  operateEventSources: ["lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"],
  /** A destination's backlog: its job queue's and its dead-letter queue's approximate counts. */
  readQueueDepth: ["sqs:GetQueueAttributes"],
} as const;

/** The ARN of the listing index, the only index a gateway function queries (the sweeper's walk). */
export function listIndexArn(table: ITable): string {
  return `${table.tableArn}/index/${LIST_INDEX_NAME}`;
}

/** The ARNs of every index of the events table, the listing index and the problem index: what operators query. */
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
