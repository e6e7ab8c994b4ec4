import { Stack, Validations } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IEventSourceMapping } from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import { nagResource } from "../nagResource.ts";
import { GATEWAY_ACTIONS, listingIndexArns } from "./gatewayPermissions.ts";
import type { QueueAddresses } from "./queueAddresses.ts";

/** Actions on resources: one statement of a policy. */
export type Permission = readonly [actions: readonly string[], resources: string[]];

export interface OperatorResources {
  readonly addresses: QueueAddresses;
  readonly eventSources: readonly IEventSourceMapping[];
  readonly eventsTable: ITable;
}

/**
 * What the operator CLI needs on a gateway (the body bucket's reads aside): `dlq list` and `dlq redrive` on the
 * dead-letter queues (`operateDeadLetters`), sending jobs to the job queues and reading every queue's depth,
 * `destinations pause` and `resume` on the event source mappings (`operateEventSources`), and reading and updating
 * events (`operateEvents`, for `markRedriven`). The queues are named by pattern (`<base>-*`, `<base>-*-dlq`, this
 * gateway's only): a managed policy holds 6 144 characters, and three ARNs per destination (queue, dead-letter
 * queue, mapping) would outgrow it at about fifteen destinations. The mappings' ids are generated, so they are
 * listed; a pattern over them would be every mapping of the account.
 */
export function operatorPermissions(resources: OperatorResources): Permission[] {
  const { addresses, eventSources, eventsTable } = resources;
  return [
    [GATEWAY_ACTIONS.operateDeadLetters, [addresses.anyDeadLetterQueueArn]],
    [[...GATEWAY_ACTIONS.enqueue, ...GATEWAY_ACTIONS.readQueueDepth], [addresses.anyQueueArn]],
    [GATEWAY_ACTIONS.operateEventSources, eventSources.map((mapping) => mapping.eventSourceMappingArn)],
    [GATEWAY_ACTIONS.operateEvents, [eventsTable.tableArn]],
    [GATEWAY_ACTIONS.listEvents, listingIndexArns(eventsTable)],
  ];
}

/** Acknowledges cdk-nag's IAM5 on `holder` for the two queue patterns of {@link operatorPermissions}. */
export function acknowledgeQueuePatterns(holder: Construct, addresses: QueueAddresses): void {
  for (const pattern of [addresses.anyQueueArn, addresses.anyDeadLetterQueueArn]) {
    Validations.of(holder).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagResource(Stack.of(holder).resolve(pattern))}]`,
      reason: "This gateway's queues only (<base>-*): a list of each destination's would outgrow a managed policy",
    });
  }
}
