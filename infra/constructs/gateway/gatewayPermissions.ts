import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { Grant, type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { SWEEP_INDEX_NAME } from "../../../lambdas/shared/eventRecord.ts";

/**
 * The IAM actions of each gateway function, each list being exactly the AWS calls its code makes (the `…Command`s
 * it sends), on exactly the resource it calls them on. No wildcard action, no wildcard resource.
 */
export const GATEWAY_ACTIONS = {
  /** `acceptEvent` (conditional PutItem; a duplicate comes back with the refusal, no GetItem) and `markQueued`. */
  intakeTable: ["dynamodb:PutItem", "dynamodb:UpdateItem"],
  /** `enqueueJobs` sends SendMessageBatch, which IAM authorizes as `sqs:SendMessage`. */
  enqueue: ["sqs:SendMessage"],
  /** `readEvent`, then `recordDestinationTransition` and `writeOverallStatus`. */
  deliveryTable: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
  /** The event source mapping polls and deletes; the handler delays a retry with ChangeMessageVisibility. */
  deliveryQueue: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
  /** `readEvent`, `markQueued` and `leaveSweepIndex` on the table… */
  sweeperTable: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
  /** …and `findStuckReceived`, a Query on the sweep index only. */
  sweeperIndex: ["dynamodb:Query"],
  /**
   * The dead-letter pass on the dead-letter queue: its depth, the dead jobs, and handing them back at once
   * (ChangeMessageVisibilityBatch, which IAM authorizes as `sqs:ChangeMessageVisibility`). No DeleteMessage: the
   * dead jobs are the operators'.
   */
  sweeperDeadLetters: ["sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:ChangeMessageVisibility"],
  /** For operators' tools: read an event and list stuck ones. */
  readEvents: ["dynamodb:GetItem", "dynamodb:Query"],
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
  /** `markRedriven`: `readEvent`, then `recordDestinationTransition` and `writeOverallStatus`. No Scan, no DeleteItem. */
  operateEvents: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
} as const;

/** The ARN of the sweep index, the only index the gateway has. */
export function sweepIndexArn(table: ITable): string {
  return `${table.tableArn}/index/${SWEEP_INDEX_NAME}`;
}

/** Adds `actions` on `resources` to `grantee`'s policy. */
export function allow(grantee: IGrantable, actions: readonly string[], resources: string[]): Grant {
  return Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: resources });
}

/** `actions` on `resources` as one statement (for a managed policy, which is no grantee). */
export function statement(actions: readonly string[], resources: string[]): PolicyStatement {
  return new PolicyStatement({ actions: [...actions], resources });
}
