import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "@jest/globals";
import { Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { demoSettings } from "../../infra/demo.config.ts";
import type { OncegateSettings } from "../../infra/oncegateStack.ts";
import { oncegateStack, testApp } from "./support/testApp.ts";

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
  acknowledgedId?: string;
  reason?: string;
}

interface ValidationReport {
  pluginReports: { pluginName: string; violations: Violation[]; suppressedViolations?: Violation[] }[];
}

let report: ValidationReport;
let synthError: Error | undefined;
let acknowledgedIds: string[];

/**
 * The demo with every production feature on as well (a real provider whose secret has a customer managed key and its
 * own route limit, a custom domain, an alarm email), so that every kind of resource the app can deploy is checked.
 */
const EVERYTHING: OncegateSettings = {
  ...demoSettings,
  config: {
    ...demoSettings.config,
    providers: {
      ...demoSettings.config.providers,
      stripe: {
        scheme: "stripe",
        secrets: [
          {
            secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe-AbCdEf",
            kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
          },
        ],
        rateLimit: 20,
      },
    },
  },
  demoConsumerWithRealProviders: true,
  alarmEmail: "oncall@acme.test",
  tracing: true,
  domainName: "hooks.acme.test",
  certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab",
};

beforeAll(() => {
  const app = testApp({}, { validate: true });
  const stack = oncegateStack(EVERYTHING, app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  try {
    app.synth();
  } catch (error) {
    // A violation interrupts synthesis; the report is written first, and says which.
    synthError = error as Error;
  }
  report = JSON.parse(readFileSync(join(app.outdir, "validation-report.json"), "utf8"));
  acknowledgedIds = stack.node
    .findAll()
    .flatMap((construct) => construct.node.metadata)
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    // Each entry is `{ [ruleId]: reason }`.
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>));
});

function nag() {
  const found = report.pluginReports.find((plugin) => plugin.pluginName === "AwsSolutions");
  if (found === undefined) throw new Error("the AwsSolutions plugin did not report");
  return found;
}

describe("cdk-nag AwsSolutions checks on the app's stack, every feature on", () => {
  test("finds no unacknowledged violation, error or warning", () => {
    const unacknowledged = nag().violations.map(
      (violation) => `${violation.ruleName} at ${violation.violatingConstructs.map((c) => c.constructPath).join(", ")}`,
    );
    expect(unacknowledged).toEqual([]);
    expect(synthError).toBeUndefined();
  });

  test("acknowledges each finding by its rule with a one-line reason", () => {
    const suppressed = nag().suppressedViolations ?? [];
    expect(suppressed.length).toBeGreaterThan(0);
    for (const violation of suppressed) {
      expect(violation.acknowledgedId).toBe(`AwsSolutions::${violation.ruleName}`);
      expect(violation.reason).toMatch(/^[^\n]{20,120}$/);
    }
  });

  test("acknowledges exactly the expected rules, where they apply", () => {
    const where = (nag().suppressedViolations ?? [])
      .flatMap((violation) => violation.violatingConstructs.map((c) => `${violation.ruleName} ${c.constructPath}`))
      .sort();
    expect(where).toEqual([
      // Providers authenticate with signatures the intake verifies, not with IAM or JWT.
      "AwsSolutions-APIG4 Oncegate/Gateway/IntakeApi/POST--webhooks--demo/Resource",
      "AwsSolutions-APIG4 Oncegate/Gateway/IntakeApi/POST--webhooks--stripe/Resource",
      // X-Ray (tracing: true): PutTraceSegments and PutTelemetryRecords have no resource-level permissions.
      "AwsSolutions-IAM5[Resource::*] Oncegate/Gateway/Delivery/Role/DefaultPolicy/Resource",
      "AwsSolutions-IAM5[Resource::*] Oncegate/Gateway/Intake/Role/DefaultPolicy/Resource",
      "AwsSolutions-IAM5[Resource::*] Oncegate/Gateway/Sweeper/Role/DefaultPolicy/Resource",
      // The console's overview: cloudwatch:GetMetricData has no resource-level permissions.
      "AwsSolutions-IAM5[Resource::*] Oncegate/OperatorPolicy/Resource",
      // Body objects are keyed by their SHA-256: the intake writes, the delivery and operators (events show
      // --payload) read bodies/* only.
      "AwsSolutions-IAM5[Resource::<GatewayBodyBucket9E4D04A3.Arn>/bodies/*] Oncegate/Gateway/Delivery/Role/DefaultPolicy/Resource",
      "AwsSolutions-IAM5[Resource::<GatewayBodyBucket9E4D04A3.Arn>/bodies/*] Oncegate/Gateway/Intake/Role/DefaultPolicy/Resource",
      "AwsSolutions-IAM5[Resource::<GatewayBodyBucket9E4D04A3.Arn>/bodies/*] Oncegate/OperatorPolicy/Resource",
      // The operators' queues by pattern, this gateway's only: a list of each destination's job queue and
      // dead-letter queue would outgrow a managed policy's 6 144 characters.
      "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:ogd23cb48f-*-dlq] Oncegate/OperatorPolicy/Resource",
      "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:ogd23cb48f-*] Oncegate/OperatorPolicy/Resource",
      // Server access logs: the bucket is private to the gateway's roles; CloudTrail data events audit it if wanted.
      "AwsSolutions-S1 Oncegate/Gateway/BodyBucket/Bucket/Resource",
      // Webhook secrets are rotated by listing two, not by a rotation Lambda.
      "AwsSolutions-SMG4 Oncegate/DemoConsumer/SigningSecret/Resource",
      "AwsSolutions-SMG4 Oncegate/Gateway/Secrets/DemoProvider/Resource",
    ]);
  });

  test("has no acknowledgement left over that matches no finding", () => {
    const used = new Set((nag().suppressedViolations ?? []).map((violation) => violation.acknowledgedId));
    expect(acknowledgedIds.filter((id) => !used.has(id))).toEqual([]);
  });
});

describe("cdk-nag AwsSolutions checks with the function URL edge", () => {
  test("finds no unacknowledged violation: the public URL is the intake's, which verifies every signature", () => {
    const app = testApp({}, { validate: true });
    oncegateStack({ ...demoSettings, alarmEmail: "oncall@acme.test", intakeEdge: "functionUrl" }, app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    let error: Error | undefined;
    try {
      app.synth();
    } catch (caught) {
      error = caught as Error;
    }
    const edgeReport: ValidationReport = JSON.parse(readFileSync(join(app.outdir, "validation-report.json"), "utf8"));
    const plugin = edgeReport.pluginReports.find((found) => found.pluginName === "AwsSolutions");
    expect(plugin?.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(error).toBeUndefined();
  });
});
