import { describe, expect, test } from "@jest/globals";
import { Duration, Stack, Token } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { WebhookGateway } from "../../infra/constructs/webhookGateway.ts";
import {
  type DeployedSecretRef,
  type GatewayDeploymentConfig,
  mapSecretRefs,
  type SecretOwner,
} from "../../infra/gatewayDeploymentConfig.ts";
import { validateDeploymentConfig } from "../../infra/validateDeploymentConfig.ts";
import { InvalidConfigurationError } from "../../lambdas/shared/errors.ts";
import { testApp } from "./support/testApp.ts";

const IMPORTED_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:keygen-public-AbCdEf";

function config(overrides: Partial<GatewayDeploymentConfig> = {}): GatewayDeploymentConfig {
  return {
    providers: {
      stripe: { scheme: "stripe", secrets: [{ create: "stripe" }] },
      keygen: { scheme: "keygen", publicKeys: [{ secretArn: IMPORTED_ARN, jsonKey: "publicKey" }] },
      partner: {
        scheme: "generic",
        eventId: { header: "x-event-id" },
        signature: { header: "x-sig", secrets: [{ create: "partner" }] },
      },
      open: { scheme: "generic", eventId: { jsonPath: "id" }, signature: "none" },
    },
    destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] }],
    ...overrides,
  };
}

describe("mapSecretRefs", () => {
  test("visits every secret of every scheme and destination, saying who reads it, and copies the rest", () => {
    const seen: string[] = [];
    const mapped = mapSecretRefs(config(), (ref: DeployedSecretRef, owner: SecretOwner) => {
      const name = "create" in ref ? ref.create : "secretArn" in ref ? ref.secretArn : "secret";
      seen.push(`${owner} ${name}`);
      return { env: name.toUpperCase().replace(/[^A-Z]/g, "_") };
    });
    expect(seen.sort()).toEqual([
      "destination orders",
      `provider ${IMPORTED_ARN}`,
      "provider partner",
      "provider stripe",
    ]);
    expect(mapped.providers.open).toEqual({ scheme: "generic", eventId: { jsonPath: "id" }, signature: "none" });
    expect(mapped.providers.partner).toEqual({
      scheme: "generic",
      eventId: { header: "x-event-id" },
      signature: { header: "x-sig", secrets: [{ env: "PARTNER" }] },
    });
    expect(mapped.destinations[0]).toEqual({
      id: "orders",
      url: "https://orders.example.com/hooks",
      signingSecrets: [{ env: "ORDERS" }],
    });
  });
});

describe("validateDeploymentConfig", () => {
  test("applies the Lambdas' defaults to a valid configuration", () => {
    const resolved = validateDeploymentConfig(config());
    expect(resolved.retryScheduleSeconds).toHaveLength(7);
    expect(resolved.destinations[0]?.timeoutMs).toBe(10_000);
    expect(resolved.destinations[0]?.providers.sort()).toEqual(["keygen", "open", "partner", "stripe"]);
  });

  test("checks deploy-time values (a secret's ARN, a Function URL) as placeholders", () => {
    const stack = new Stack(testApp(), "Tokens");
    const secret = new Secret(stack, "Shared");
    const url = Token.asString({ "Fn::GetAtt": ["Consumer", "FunctionUrl"] });
    expect(() =>
      validateDeploymentConfig(config({ destinations: [{ id: "consumer", url, signingSecrets: [{ secret }] }] })),
    ).not.toThrow();
  });

  test.each<[string, GatewayDeploymentConfig, string]>([
    [
      "an unknown field",
      {
        ...config(),
        providers: { stripe: { scheme: "stripe", secrets: [{ create: "stripe" }], tolerance: 5 } as never },
      },
      "providers.stripe.tolerance: unknown field",
    ],
    [
      "a plain-http destination",
      config({ destinations: [{ id: "o", url: "http://orders.example.com", signingSecrets: [{ create: "o" }] }] }),
      "destinations[0].url: expected https:",
    ],
    [
      "a provider no destination receives",
      config({
        destinations: [
          { id: "o", url: "https://o.example.com", providers: ["stripe"], signingSecrets: [{ create: "o" }] },
        ],
      }),
      "no destination receives its events",
    ],
    [
      "an imported secret given by a malformed ARN",
      config({ destinations: [{ id: "o", url: "https://o.example.com", signingSecrets: [{ secretArn: "orders" }] }] }),
      "destinations[0].signingSecrets[0].secretArn: expected a Secrets Manager ARN",
    ],
    [
      "an imported secret given by a partial ARN (no random suffix)",
      config({
        destinations: [
          {
            id: "o",
            url: "https://o.example.com",
            signingSecrets: [{ secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders" }],
          },
        ],
      }),
      "give the complete ARN",
    ],
    [
      "a created secret whose name cannot be an id",
      config({ destinations: [{ id: "o", url: "https://o.example.com", signingSecrets: [{ create: "Orders!" }] }] }),
      '{ create: "Orders!" }: a created secret\'s name must match',
    ],
  ])("rejects %s at synth time, naming the field", (_label, invalid, message) => {
    expect(() => validateDeploymentConfig(invalid)).toThrow(InvalidConfigurationError);
    expect(() => validateDeploymentConfig(invalid)).toThrow(message);
  });

  test("rejects a configuration too large for a Lambda environment once ARNs are filled in", () => {
    const secrets = Array.from({ length: 30 }, (_, index) => ({ create: `stripe-${index}` }));
    const providers = { stripe: { scheme: "stripe" as const, secrets } };
    expect(() => validateDeploymentConfig(config({ providers }))).toThrow(/more than the 3500 that fit/);
  });
});

describe("WebhookGateway checks at synth time", () => {
  const build = (props: Partial<ConstructorParameters<typeof WebhookGateway>[2]>) => () =>
    new WebhookGateway(new Stack(testApp(), "Checks"), "Gateway", { config: config(), ...props });

  test("fails on an unknown prop, naming it (a typo must not become a default)", () => {
    expect(build({ throttles: { rateLimit: 1 } } as never)).toThrow("throttles: unknown prop (expected one of config,");
  });

  test("fails when the configuration is invalid, before creating anything", () => {
    expect(build({ config: { ...config(), providers: {} } })).toThrow("providers: expected at least one provider");
  });

  test("fails when the delivery timeout cannot outlast a destination's request timeout", () => {
    const slow = config({
      destinations: [
        { id: "slow", url: "https://slow.example.com", timeoutMs: 28_000, signingSecrets: [{ create: "slow" }] },
      ],
    });
    expect(build({ config: slow })).toThrow("deliveryTimeout: 30 seconds leaves no room");
    expect(build({ config: slow, deliveryTimeout: Duration.seconds(33) })).not.toThrow();
  });

  test("fails when more than 10 jobs per batch are asked for without a batching window", () => {
    expect(build({ deliveryBatchSize: 20 })).toThrow("deliveryBatchSize: 20 needs a deliveryBatchingWindow");
  });

  test("fails when the retry schedule outlasts what SQS keeps a job", () => {
    const schedule = Array.from({ length: 28 }, () => 43_200);
    expect(build({ config: config({ retryScheduleSeconds: schedule, eventRetentionSeconds: 2_000_000 }) })).toThrow(
      "retryScheduleSeconds: the schedule spans 1209600 s",
    );
  });

  test("imports a secret given by ARN once, and creates one secret per created name", () => {
    const stack = new Stack(testApp(), "Secrets");
    const twice = config({
      destinations: [
        { id: "a", url: "https://a.example.com", signingSecrets: [{ create: "shared" }] },
        { id: "b", url: "https://b.example.com", signingSecrets: [{ create: "shared" }, { secretArn: IMPORTED_ARN }] },
      ],
    });
    const gateway = new WebhookGateway(stack, "Gateway", { config: twice });
    expect([...gateway.createdSecrets.keys()].sort()).toEqual(["partner", "shared", "stripe"]);
    Template.fromStack(stack).resourceCountIs("AWS::SecretsManager::Secret", 3);
  });
});
