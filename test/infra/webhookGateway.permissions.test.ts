import { beforeAll, describe, expect, test } from "@jest/globals";
import { ArnFormat, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { BODY_BUCKET_ACTIONS } from "../../infra/constructs/bodyBucket.ts";
import { GATEWAY_ACTIONS, listIndexArn, listingIndexArns } from "../../infra/constructs/gateway/gatewayPermissions.ts";
import { WebhookGateway } from "../../infra/constructs/webhookGateway.ts";
import { grants, grantsOf, logWriteGrants, sortGrants } from "./support/grants.ts";
import { testApp } from "./support/testApp.ts";

const STRIPE_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe-webhooks-AbCdEf";

let stack: Stack;
let gateway: WebhookGateway;
let template: Template;
let operator: Role;
let cliOperator: Role;

beforeAll(() => {
  stack = new Stack(testApp(), "Permissions");
  gateway = new WebhookGateway(stack, "Gateway", {
    config: {
      providers: {
        stripe: { scheme: "stripe", secrets: [{ secretArn: STRIPE_ARN, jsonKey: "signing" }] },
        github: { scheme: "github", secrets: [{ create: "github" }, { create: "github-next" }] },
      },
      destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] }],
    },
  });
  operator = new Role(stack, "Operator", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
  gateway.grantReadEvents(operator);
  gateway.grantRedriveDeadLetters(operator);
  cliOperator = new Role(stack, "CliOperator", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
  gateway.grantOperate(cliOperator);
  template = Template.fromStack(stack);
});

const roleOf = (fn: IFunction) => {
  if (fn.role === undefined) throw new Error("function without a role");
  return fn.role;
};
const secretArn = (name: string) => gateway.createdSecrets.get(name)?.secretArn ?? "";
const logs = (fn: IFunction) => logWriteGrants(stack, fn);
const bodyObjects = () => gateway.bodyBucket.bucket.arnForObjects("bodies/*");
// The one destination's queues: webhookGateway.destinations.test.ts has two.
const jobQueue = () => gateway.deliveryQueues.get("orders")?.queueArn ?? "";
const deadLetterQueue = () => gateway.deadLetterQueues.get("orders")?.queueArn ?? "";
// The operators' patterns: every queue of this gateway, and its dead-letter queues (see operateStatements).
const anyQueue = (suffix: string) =>
  stack.formatArn({ service: "sqs", resource: `ogabccc78c-*${suffix}`, arnFormat: ArnFormat.NO_RESOURCE_NAME });

describe("WebhookGateway least-privilege roles", () => {
  test("lets the intake only put and update events, send jobs, write bodies, and read the provider secrets", () => {
    const intake = gateway.intakeFunction;
    expect(grantsOf(template, stack, roleOf(intake))).toEqual(
      sortGrants([
        ...logs(intake),
        ...grants(stack, ["dynamodb:PutItem", "dynamodb:UpdateItem"], [gateway.eventsTable.tableArn]),
        ...grants(stack, ["sqs:SendMessage"], [jobQueue()]),
        ...grants(stack, BODY_BUCKET_ACTIONS.putBody, [bodyObjects()]),
        ...grants(
          stack,
          ["secretsmanager:GetSecretValue"],
          [STRIPE_ARN, secretArn("github"), secretArn("github-next")],
        ),
      ]),
    );
  });

  test("lets the delivery only read and update events, put attempt items, consume the queue, read bodies and the signing secrets", () => {
    const delivery = gateway.deliveryFunction;
    expect(grantsOf(template, stack, roleOf(delivery))).toEqual(
      sortGrants([
        ...logs(delivery),
        ...grants(
          stack,
          ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"],
          [gateway.eventsTable.tableArn],
        ),
        ...grants(
          stack,
          ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
          [jobQueue()],
        ),
        ...grants(stack, BODY_BUCKET_ACTIONS.readBody, [bodyObjects()]),
        ...grants(stack, ["secretsmanager:GetSecretValue"], [secretArn("orders")]),
      ]),
    );
  });

  test("lets the sweeper query only the listing index (not the problem index), read and update events, send jobs, read dead jobs, and read no secret", () => {
    const sweeper = gateway.sweeperFunction;
    expect(grantsOf(template, stack, roleOf(sweeper))).toEqual(
      sortGrants([
        ...logs(sweeper),
        ...grants(
          stack,
          ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem"],
          [gateway.eventsTable.tableArn],
        ),
        ...grants(stack, ["dynamodb:Query"], [listIndexArn(gateway.eventsTable)]),
        ...grants(stack, ["sqs:SendMessage"], [jobQueue()]),
        // The dead-letter pass: depth, receive, hand back. Never DeleteMessage: the dead jobs are the operators'.
        ...grants(
          stack,
          ["sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:ChangeMessageVisibility"],
          [deadLetterQueue()],
        ),
      ]),
    );
    expect(GATEWAY_ACTIONS.sweeperDeadLetters).toEqual([
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
      "sqs:ChangeMessageVisibility",
    ]);
  });

  test("gives no function but the sweeper any action on the dead-letter queue", () => {
    const deadLetters = JSON.stringify(stack.resolve(deadLetterQueue()));
    const onDeadLetters = (fn: IFunction) =>
      grantsOf(template, stack, roleOf(fn)).filter((grant) => JSON.stringify(grant.resource) === deadLetters);
    expect(onDeadLetters(gateway.intakeFunction)).toEqual([]);
    expect(onDeadLetters(gateway.deliveryFunction)).toEqual([]);
    expect(onDeadLetters(gateway.sweeperFunction).map((grant) => grant.action)).toEqual([
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
    ]);
  });

  test("grants no wildcard action and no wildcard resource to any gateway function but the body objects", () => {
    // Body keys are content-addressed (bodies/<2 hex>/<sha256>.gz): the objects' prefix is the narrowest resource.
    const bodies = JSON.stringify(stack.resolve(bodyObjects()));
    for (const fn of [gateway.intakeFunction, gateway.deliveryFunction, gateway.sweeperFunction]) {
      for (const { action, resource } of grantsOf(template, stack, roleOf(fn))) {
        expect(action).not.toContain("*");
        if (JSON.stringify(resource) !== bodies) expect(JSON.stringify(resource)).not.toMatch(/\*|\?/);
      }
    }
  });

  test("attaches no managed policy (no AWSLambdaBasicExecutionRole) to the functions' roles", () => {
    for (const role of Object.values(template.findResources("AWS::IAM::Role"))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test("grantReadEvents and grantRedriveDeadLetters give an operator exactly their named actions", () => {
    expect(GATEWAY_ACTIONS.readEvents).toEqual(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]);
    expect(grantsOf(template, stack, operator)).toEqual(
      sortGrants([
        // The table (an event's state and attempts, BatchGetItem of listed states) and its two indexes.
        ...grants(stack, GATEWAY_ACTIONS.readEvents, [
          gateway.eventsTable.tableArn,
          ...listingIndexArns(gateway.eventsTable),
        ]),
        ...grants(stack, GATEWAY_ACTIONS.redriveDeadLetters, [deadLetterQueue()]),
        ...grants(stack, ["sqs:SendMessage"], [jobQueue()]),
      ]),
    );
  });

  test("grantOperate gives the operator CLI's events, dlq and destinations commands exactly their actions: no Scan, no DeleteItem, no PutItem, no Cancel", () => {
    expect(GATEWAY_ACTIONS.operateDeadLetters).toEqual([
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
      "sqs:StartMessageMoveTask",
      "sqs:ListMessageMoveTasks",
    ]);
    expect(GATEWAY_ACTIONS.operateEvents).toEqual([
      "dynamodb:GetItem",
      "dynamodb:UpdateItem",
      "dynamodb:Query",
      "dynamodb:BatchGetItem",
    ]);
    expect(GATEWAY_ACTIONS.listEvents).toEqual(["dynamodb:Query"]);
    expect(GATEWAY_ACTIONS.operateEventSources).toEqual([
      "lambda:GetEventSourceMapping",
      "lambda:UpdateEventSourceMapping",
    ]);
    const granted = grantsOf(template, stack, cliOperator);
    const mapping = gateway.eventSources.get("orders")?.eventSourceMappingArn ?? "";
    expect(granted).toEqual(
      sortGrants([
        // The dead-letter queues and every queue by pattern: a list of each destination's would outgrow a managed
        // policy (webhookGateway.destinations.test.ts measures it).
        ...grants(stack, GATEWAY_ACTIONS.operateDeadLetters, [anyQueue("-dlq")]),
        ...grants(stack, ["sqs:SendMessage", "sqs:GetQueueAttributes"], [anyQueue("")]),
        // `destinations pause` and `resume`: each destination's event source mapping, by its ARN.
        ...grants(stack, ["lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"], [mapping]),
        ...grants(
          stack,
          ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
          [gateway.eventsTable.tableArn],
        ),
        // The listing and problem indexes.
        ...grants(stack, ["dynamodb:Query"], listingIndexArns(gateway.eventsTable)),
        // `events show --payload`: the bodies kept in the body bucket.
        ...grants(stack, ["s3:GetObject"], [gateway.bodyBucket.bucket.arnForObjects("bodies/*")]),
      ]),
    );
    expect(granted.map((grant) => grant.action)).not.toContain("dynamodb:Scan");
  });

  test("operateStatements hold the same actions on the same resources as grantOperate, for a managed policy", () => {
    const fromStatements = gateway.operateStatements().flatMap((statement) => {
      const json = stack.resolve(statement.toStatementJson()) as { Action: string | string[]; Resource: unknown };
      return [json.Action].flat().flatMap((action) => [json.Resource].flat().map((resource) => ({ action, resource })));
    });
    expect(sortGrants(fromStatements)).toEqual(grantsOf(template, stack, cliOperator));
  });
});
