import { readDestinationControl } from "../../lambdas/shared/destinationControl.ts";
import { asOperator } from "../target/awsFailures.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import { configuredDestinations } from "./configuredDestinations.ts";
import { type DestinationView, destinationView } from "./destinationView.ts";
import { eventSourceState } from "./eventSourceSwitch.ts";
import { jobQueueDepth } from "./jobQueueDepth.ts";

/**
 * Every configured destination, in the configuration's order: its control item (one strongly consistent GetItem),
 * its job queue's depth (one GetQueueAttributes) and, on a stack that names them, its event source mapping's state
 * (one GetEventSourceMapping); all destinations' reads at once.
 * @throws RefusedError `destinations_unknown` for a stack deployed before its `DestinationIds` output
 */
export async function listDestinations(target: OperatorTarget): Promise<DestinationView[]> {
  const table = { client: target.ddb, tableName: target.resources.eventsTable };
  return Promise.all(
    configuredDestinations(target).map(async (id) => {
      const [control, depth, mappingState] = await Promise.all([
        asOperator(`read the control item of ${id} in ${table.tableName} (dynamodb:GetItem)`, () =>
          readDestinationControl(table, id, { consistent: true }),
        ),
        jobQueueDepth(target, id),
        eventSourceState(target, id),
      ]);
      return destinationView(control, depth, mappingState);
    }),
  );
}
