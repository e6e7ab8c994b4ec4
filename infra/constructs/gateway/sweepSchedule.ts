import { Duration } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";

/** How often the sweeper runs; also how long a run may wait to start before it is dropped. */
export const SWEEP_PERIOD = Duration.minutes(1);

/**
 * The EventBridge rule that runs the sweeper every {@link SWEEP_PERIOD}. One attempt, and not past its period (60 s
 * is also the least EventBridge allows): a run that cannot start in time is dropped, not run late on top of the next
 * ones. The function's own asynchronous invocation settings say the same for Lambda's queue (`HandlerFunction`).
 */
export function newSweepSchedule(scope: Construct, sweeper: IFunction): Rule {
  return new Rule(scope, "SweepSchedule", {
    description: "Runs the Oncegate sweeper every minute",
    schedule: Schedule.rate(SWEEP_PERIOD),
    targets: [new LambdaFunction(sweeper, { retryAttempts: 0, maxEventAge: SWEEP_PERIOD })],
  });
}
