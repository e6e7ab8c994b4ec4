import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mockClient } from "aws-sdk-client-mock";
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from "../../../lambdas/delivery/retrySchedule.ts";
import { DEFAULT_PEAK_EVENTS_PER_SECOND } from "../../../lambdas/shared/indexShards.ts";
import { NotFoundError, TargetError } from "../../../ops/errors.ts";
import { stackTarget } from "../../../ops/target/stackTarget.ts";

const cloudFormation = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);

const OUTPUTS = {
  EventsTableName: "Oncegate-events",
  DeliveryQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/Oncegate-delivery",
  DeadLetterQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/Oncegate-delivery-dlq",
  DeadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:Oncegate-delivery-dlq",
  RetryScheduleSeconds: "5,300,1800",
  PeakEventsPerSecond: "10000",
  DestinationIds: "billing,crm",
  OperatorPolicyArn: "arn:aws:iam::123456789012:policy/Oncegate-OperatorPolicy",
};

function stackWith(outputs: Record<string, string>) {
  return {
    Stacks: [
      {
        StackName: "Oncegate",
        CreationTime: new Date(0),
        StackStatus: "UPDATE_COMPLETE" as const,
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  };
}

beforeEach(() => {
  cloudFormation.reset();
  sts.reset();
});
afterEach(() => {
  cloudFormation.reset();
  sts.reset();
});

describe("stackTarget", () => {
  test("reads the resources from the stack's outputs with DescribeStacks, in the region asked", async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: "Oncegate" }).resolves(stackWith(OUTPUTS));
    const target = await stackTarget({ stackName: "Oncegate", region: "eu-west-1" });

    expect(target).toMatchObject({ kind: "stack", label: "Oncegate", region: "eu-west-1", supportsMoveTask: true });
    expect(target.resources).toEqual({
      eventsTable: OUTPUTS.EventsTableName,
      deliveryQueueUrl: OUTPUTS.DeliveryQueueUrl,
      deadLetterQueueUrl: OUTPUTS.DeadLetterQueueUrl,
      deadLetterQueueArn: OUTPUTS.DeadLetterQueueArn,
      retryScheduleSeconds: [5, 300, 1800],
      peakEventsPerSecond: 10_000,
      destinationIds: ["billing", "crm"],
    });
    expect(await target.ddb.config.region()).toBe("eu-west-1");
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    target.close();
  });

  test("knows no destination list for a stack deployed before DestinationIds (replays to new ones are not refused)", async () => {
    const { DestinationIds: _ids, ...older } = OUTPUTS;
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith(older));
    const target = await stackTarget({ stackName: "Oncegate", region: "eu-west-1" });
    expect(target.resources).not.toHaveProperty("destinationIds");
    target.close();
  });

  test("falls back to the default retry schedule for a stack deployed before RetryScheduleSeconds", async () => {
    const { RetryScheduleSeconds: _schedule, ...older } = OUTPUTS;
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith(older));
    const target = await stackTarget({ stackName: "Oncegate", region: "eu-west-1" });
    expect(target.resources.retryScheduleSeconds).toEqual(DEFAULT_RETRY_SCHEDULE_SECONDS);
    target.close();
  });

  test("reads the index shards' peak, defaulting it for an older stack and refusing a malformed one", async () => {
    const { PeakEventsPerSecond: _peak, ...older } = OUTPUTS;
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith(older));
    const target = await stackTarget({ stackName: "Oncegate", region: "eu-west-1" });
    expect(target.resources.peakEventsPerSecond).toBe(DEFAULT_PEAK_EVENTS_PER_SECOND);
    target.close();
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith({ ...OUTPUTS, PeakEventsPerSecond: "lots" }));
    await expect(stackTarget({ stackName: "Oncegate", region: "eu-west-1" })).rejects.toThrow(
      /output PeakEventsPerSecond is "lots", not a whole number/,
    );
  });

  test("names the operator by the caller's ARN from STS GetCallerIdentity, asked once", async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith(OUTPUTS));
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Arn: "arn:aws:sts::123456789012:assumed-role/OnCall/alice", UserId: "x" });
    const target = await stackTarget({ stackName: "Oncegate", region: "eu-west-1" });

    expect(await target.identity()).toBe("arn:aws:sts::123456789012:assumed-role/OnCall/alice");
    expect(await target.identity()).toBe("arn:aws:sts::123456789012:assumed-role/OnCall/alice");
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    target.close();
  });

  test("rejects an unknown stack as not found, naming the stack and the region", async () => {
    const missing = Object.assign(new Error("Stack with id Nope does not exist"), { name: "ValidationError" });
    cloudFormation.on(DescribeStacksCommand).rejects(missing);
    const failure = await stackTarget({ stackName: "Nope", region: "eu-west-1" }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(NotFoundError);
    expect(failure).toMatchObject({ code: "no_such_stack", kind: "not_found" });
    expect((failure as Error).message).toBe(
      "There is no stack Nope in eu-west-1: check --stack and --region (npx cdk list names the app's stacks).",
    );
  });

  test("rejects missing credentials with one sentence saying how to sign in", async () => {
    const noCredentials = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    cloudFormation.on(DescribeStacksCommand).rejects(noCredentials);
    const failure = await stackTarget({ stackName: "Oncegate", region: "eu-west-1" }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(TargetError);
    expect(failure).toMatchObject({ code: "no_credentials", kind: "failed" });
    expect((failure as Error).message).toMatch(/^No AWS credentials were found: pass --profile <name>/);
  });

  test("rejects a refused identity, pointing at the OperatorPolicy", async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDenied" }));
    await expect(stackTarget({ stackName: "Oncegate", region: "eu-west-1" })).rejects.toMatchObject({
      code: "access_denied",
      message: expect.stringContaining("attach the stack's OperatorPolicyArn managed policy"),
    });
  });

  test("reads the queue templates of a stack with one delivery and one dead-letter queue per destination", async () => {
    const perDestination = {
      ...OUTPUTS,
      DeliveryQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/og1a2b3c4d-{destination}",
      DeadLetterQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/og1a2b3c4d-{destination}-dlq",
      DeadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:og1a2b3c4d-{destination}-dlq",
    };
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith(perDestination));
    const target = await stackTarget({ stackName: "Oncegate", region: "eu-west-1" });
    expect(target.resources).toMatchObject({
      deliveryQueueUrl: perDestination.DeliveryQueueUrl,
      deadLetterQueueUrl: perDestination.DeadLetterQueueUrl,
      deadLetterQueueArn: perDestination.DeadLetterQueueArn,
      destinationIds: ["billing", "crm"],
    });
    target.close();
  });

  const TEMPLATE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/og1a2b3c4d-{destination}-dlq";
  const TEMPLATE_ARN = "arn:aws:sqs:eu-west-1:123456789012:og1a2b3c4d-{destination}-dlq";
  test.each([
    [
      "a placeholder outside the queue's name",
      { DeadLetterQueueUrl: "https://{destination}.example.com/1/dlq" },
      /DeadLetterQueueUrl of stack Oncegate \{destination\} must be in the queue's name/,
    ],
    [
      "two placeholders",
      { DeliveryQueueUrl: "https://sqs.eu-west-1.amazonaws.com/1/{destination}-{destination}" },
      /DeliveryQueueUrl of stack Oncegate holds \{destination\} 2 times/,
    ],
    [
      "a URL that is none",
      { DeliveryQueueUrl: "og-delivery" },
      /DeliveryQueueUrl of stack Oncegate is not an absolute URL/,
    ],
    [
      "a template URL beside a shared queue's ARN",
      { DeadLetterQueueUrl: TEMPLATE_URL },
      /DeadLetterQueueArn of stack Oncegate has no \{destination\}, but DeadLetterQueueUrl does/,
    ],
    [
      "a template ARN beside a shared queue's URL",
      { DeadLetterQueueArn: TEMPLATE_ARN },
      /DeadLetterQueueArn of stack Oncegate holds \{destination\}, but DeadLetterQueueUrl does not/,
    ],
    [
      "an ARN with the placeholder in its region",
      { DeadLetterQueueUrl: TEMPLATE_URL, DeadLetterQueueArn: "arn:aws:sqs:{destination}:123456789012:og-dlq" },
      /is not an SQS queue's ARN/,
    ],
    [
      "an ARN of something else",
      { DeadLetterQueueArn: "arn:aws:sns:eu-west-1:123456789012:og-dlq" },
      /is not an SQS queue's ARN/,
    ],
  ])("rejects queue outputs with %s as not an Oncegate stack's, saying to redeploy", async (_, outputs, message) => {
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith({ ...OUTPUTS, ...outputs }));
    const failure = await stackTarget({ stackName: "Oncegate", region: "eu-west-1" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TargetError);
    expect(failure).toMatchObject({ code: "not_an_oncegate_stack", message: expect.stringMatching(message) });
    expect((failure as Error).message).toMatch(/: redeploy it with npx cdk deploy\.$/);
  });

  test("rejects a stack without the gateway's outputs, naming the first one missing", async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith({ EventsTableName: "t" }));
    await expect(stackTarget({ stackName: "Other", region: "eu-west-1" })).rejects.toMatchObject({
      code: "not_an_oncegate_stack",
      message: expect.stringContaining("Stack Other has no output DeliveryQueueUrl"),
    });
  });
});
