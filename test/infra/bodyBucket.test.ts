import { beforeAll, describe, expect, test } from "@jest/globals";
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Bucket } from "aws-cdk-lib/aws-s3";
import { BODY_EXPIRY_MARGIN_DAYS, BodyBucket, type BodyBucketProps } from "../../infra/constructs/bodyBucket.ts";
import { WebhookGateway } from "../../infra/constructs/webhookGateway.ts";
import type { GatewayDeploymentConfig } from "../../infra/gatewayDeploymentConfig.ts";
import { ENV } from "../../lambdas/shared/environment.ts";
import { grants, grantsOf, sortGrants } from "./support/grants.ts";
import { testApp } from "./support/testApp.ts";

function synth(props: BodyBucketProps = {}) {
  const stack = new Stack(testApp(), "Bodies");
  const bodies = new BodyBucket(stack, "Bodies", props);
  const role = (id: string) => new Role(stack, id, { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
  const [writer, reader] = [role("Writer"), role("Reader")];
  bodies.grantPutBody(writer);
  bodies.grantReadBody(reader);
  return { stack, bodies, writer, reader, template: Template.fromStack(stack) };
}

let defaults: ReturnType<typeof synth>;
beforeAll(() => {
  defaults = synth();
});

const bucketOf = (template: Template) => Object.values(template.findResources("AWS::S3::Bucket"))[0];

describe("BodyBucket", () => {
  test("blocks every kind of public access and turns ACLs off", () => {
    defaults.template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
    });
  });

  test("denies every request that does not use TLS, on the bucket and its objects", () => {
    const bucketArn = defaults.stack.resolve(defaults.bodies.bucket.bucketArn);
    defaults.template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: [
          {
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "s3:*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
            Resource: [bucketArn, { "Fn::Join": ["", [bucketArn, "/*"]] }],
          },
        ],
      },
    });
  });

  test("encrypts with S3 managed keys by default, and with a given KMS key and a Bucket Key otherwise", () => {
    expect(bucketOf(defaults.template)?.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
    });
    const stack = new Stack(testApp(), "Kms");
    const key = new Key(stack, "Key");
    new BodyBucket(stack, "Bodies", { encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: stack.resolve(key.keyArn) },
          },
        ],
      },
    });
  });

  test("expires bodies/ objects the events' retention plus a 2-day margin after their last write, versioning off", () => {
    const rules = (props: BodyBucketProps) =>
      bucketOf(synth(props).template)?.Properties.LifecycleConfiguration.Rules as unknown[];
    expect(BODY_EXPIRY_MARGIN_DAYS).toBe(2);
    expect(rules({})).toEqual([
      {
        Id: "ExpireBodies",
        Prefix: "bodies/",
        Status: "Enabled",
        ExpirationInDays: 32,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
    // A part of a day counts as a whole one: a body never expires before its event.
    expect(rules({ retention: Duration.hours(7 * 24 + 1) })).toMatchObject([{ ExpirationInDays: 10 }]);
    expect(bucketOf(defaults.template)?.Properties.VersioningConfiguration).toBeUndefined();
  });

  test("is retained with the stack by default, like the events table, and deleted with DESTROY", () => {
    expect(bucketOf(defaults.template)).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    expect(bucketOf(synth({ removalPolicy: RemovalPolicy.DESTROY }).template)).toMatchObject({
      DeletionPolicy: "Delete",
    });
  });

  test("sends server access logs to a given bucket, under body-bucket/", () => {
    const stack = new Stack(testApp(), "Logged");
    const logs = new Bucket(stack, "Logs");
    new BodyBucket(stack, "Bodies", { serverAccessLogsBucket: logs });
    Template.fromStack(stack).hasResourceProperties("AWS::S3::Bucket", {
      LoggingConfiguration: { DestinationBucketName: stack.resolve(logs.bucketName), LogFilePrefix: "body-bucket/" },
    });
  });

  test("grantPutBody gives PutObject and grantReadBody GetObject, on bodies/* only", () => {
    const { stack, bodies, writer, reader, template } = defaults;
    const objects = bodies.bucket.arnForObjects("bodies/*");
    expect(grantsOf(template, stack, writer)).toEqual(grants(stack, ["s3:PutObject"], [objects]));
    expect(grantsOf(template, stack, reader)).toEqual(grants(stack, ["s3:GetObject"], [objects]));
  });

  test("with a KMS key, adds GenerateDataKey for writers and Decrypt for readers on that key only", () => {
    const stack = new Stack(testApp(), "KmsGrants");
    const key = new Key(stack, "Key");
    const bodies = new BodyBucket(stack, "Bodies", { encryptionKey: key });
    const role = (id: string) => new Role(stack, id, { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    const [writer, reader] = [role("Writer"), role("Reader")];
    bodies.grantPutBody(writer);
    bodies.grantReadBody(reader);
    const template = Template.fromStack(stack);
    const objects = bodies.bucket.arnForObjects("bodies/*");
    expect(grantsOf(template, stack, writer)).toEqual(
      sortGrants([
        ...grants(stack, ["s3:PutObject"], [objects]),
        ...grants(stack, ["kms:GenerateDataKey"], [key.keyArn]),
      ]),
    );
    expect(grantsOf(template, stack, reader)).toEqual(
      sortGrants([...grants(stack, ["s3:GetObject"], [objects]), ...grants(stack, ["kms:Decrypt"], [key.keyArn])]),
    );
  });
});

describe("WebhookGateway's body bucket", () => {
  const config: GatewayDeploymentConfig = {
    providers: { stripe: { scheme: "stripe", secrets: [{ create: "stripe" }] } },
    destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] }],
    eventRetentionSeconds: 7 * 86_400,
  };
  let stack: Stack;
  let gateway: WebhookGateway;
  let template: Template;
  beforeAll(() => {
    stack = new Stack(testApp(), "Gateway");
    gateway = new WebhookGateway(stack, "Gateway", { config });
    template = Template.fromStack(stack);
  });

  test("keeps a stable logical id, so a refactor never replaces it with an empty bucket", () => {
    expect(Object.keys(template.findResources("AWS::S3::Bucket"))).toEqual(["GatewayBodyBucket9E4D04A3"]);
  });

  test("expires bodies after the configured eventRetentionSeconds plus the margin", () => {
    expect(gateway.bodyBucket.expirationDays).toBe(9);
    template.hasResourceProperties("AWS::S3::Bucket", {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 9, Prefix: "bodies/" })] },
    });
  });

  test(`gives the intake and the delivery the bucket's name in ${ENV.bodyBucket}`, () => {
    for (const fn of [gateway.intakeFunction, gateway.deliveryFunction]) {
      const id = stack.getLogicalId(fn.node.defaultChild as never);
      const variables = template.toJSON().Resources[id].Properties.Environment.Variables;
      expect(variables[ENV.bodyBucket]).toEqual(stack.resolve(gateway.bodyBucket.bucketName));
    }
  });
});
