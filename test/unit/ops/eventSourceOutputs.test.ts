import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { afterAll, describe, expect, test } from "@jest/globals";
import { mockClient } from "aws-sdk-client-mock";
import { eventSourcesFromOutputs } from "../../../ops/target/eventSourceOutputs.ts";
import { stackTarget } from "../../../ops/target/stackTarget.ts";

const ORDERS = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const AUDIT = "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d";
const outputs = (value?: string) =>
  new Map(value === undefined ? [] : [["DeliveryEventSources", value] as [string, string]]);

describe("eventSourcesFromOutputs", () => {
  test("reads <id>=<uuid> pairs, one per destination", () => {
    expect(eventSourcesFromOutputs("Oncegate", outputs(`orders=${ORDERS},audit=${AUDIT}`))).toEqual(
      new Map([
        ["orders", ORDERS],
        ["audit", AUDIT],
      ]),
    );
  });

  test("knows no mapping for a stack deployed before the output", () => {
    expect(eventSourcesFromOutputs("Oncegate", outputs())).toBeUndefined();
  });

  test.each([
    ["a missing UUID", "orders="],
    ["no separator", `orders${ORDERS}`],
    ["an id no configuration allows", `Orders_1=${ORDERS}`],
    ["a destination twice", `orders=${ORDERS},orders=${AUDIT}`],
  ])("rejects %s as not an Oncegate stack's", (_what, value) => {
    expect(() => eventSourcesFromOutputs("Oncegate", outputs(value))).toThrow(
      expect.objectContaining({ code: "not_an_oncegate_stack" }),
    );
  });
});

describe("stackTarget with DeliveryEventSources", () => {
  const cloudFormation = mockClient(CloudFormationClient);
  afterAll(() => cloudFormation.restore());
  const stack = (extra: Record<string, string>) => ({
    Stacks: [
      {
        StackName: "Oncegate",
        CreationTime: new Date(0),
        StackStatus: "UPDATE_COMPLETE" as const,
        Outputs: Object.entries({
          EventsTableName: "Oncegate-events",
          DeliveryQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/Oncegate-delivery",
          DeadLetterQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/Oncegate-delivery-dlq",
          DeadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:Oncegate-delivery-dlq",
          ...extra,
        }).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });

  test("gets a Lambda client and the mappings when the stack names them, neither when it does not", async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stack({ DeliveryEventSources: `orders=${ORDERS}` }));
    const target = await stackTarget({ stackName: "Oncegate", region: "eu-west-1" });
    expect(target.eventSources).toEqual(new Map([["orders", ORDERS]]));
    expect(await target.lambda?.config.region()).toBe("eu-west-1");
    target.close();
    cloudFormation.on(DescribeStacksCommand).resolves(stack({}));
    const older = await stackTarget({ stackName: "Oncegate", region: "eu-west-1" });
    expect(older).not.toHaveProperty("eventSources");
    expect(older).not.toHaveProperty("lambda");
    older.close();
  });
});
