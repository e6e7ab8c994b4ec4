import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "@jest/globals";
import { checkedConfigFile } from "../../../local/localConfig.ts";
import { localConfigFromFile } from "../../../local/localConfigFile.ts";
import { parseStartOptions } from "../../../local/startOptions.ts";

const address = { baseUrl: "http://127.0.0.1:4000" };
const EXAMPLE = fileURLToPath(new URL("../../../infra/examples/routing.gateway.json", import.meta.url));
const EXAMPLE_ENV = {
  BILLING_SIGNING_SECRET: "whsec_YQ==",
  CRM_SIGNING_SECRET: "whsec_Yg==",
  CI_SIGNING_SECRET: "whsec_Yw==",
};
const folder = mkdtempSync(join(tmpdir(), "oncegate-config-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let files = 0;
function fileWith(content: unknown): string {
  files += 1;
  const path = join(folder, `gateway-${files}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const stripeOnly = (destination: Record<string, unknown>) => ({
  providers: { stripe: { scheme: "stripe", secrets: [{ env: "STRIPE_WEBHOOK_SECRET" }] } },
  destinations: [{ id: "billing", signingSecrets: [{ env: "ONCEGATE_SIGNING_SECRET" }], ...destination }],
});

describe("localConfigFromFile", () => {
  test("runs the file the CDK app deploys: its filters, its secrets from the environment, its deployed defaults", () => {
    const config = localConfigFromFile(EXAMPLE, EXAMPLE_ENV, address);
    expect(config.destinations.map(({ id, events }) => [id, events])).toEqual([
      ["billing", ["invoice.*", "charge.succeeded"]],
      ["crm", ["customer.*"]],
      ["ci", ["push", "pull_request"]],
    ]);
    expect(config.destinations[0]?.signingSecrets).toEqual([{ env: "BILLING_SIGNING_SECRET" }]);
    // The route's throttle has no local effect, and the Lambdas' parser would refuse it.
    expect(config.providers.github).toEqual({ scheme: "github", secrets: [{ env: "GITHUB_WEBHOOK_SECRET" }] });
    expect(config.retryScheduleSeconds).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
  });

  test("points a destination whose url is demo at the demo consumer", () => {
    const config = localConfigFromFile(fileWith(stripeOnly({ url: "demo" })), {}, address);
    expect(config.destinations[0]?.url).toBe("http://127.0.0.1:4000/consumer/demo");
  });

  test("refuses an unset secret variable, and AWS-only secret references, naming the file and the field", () => {
    const file = EXAMPLE;
    expect(() => localConfigFromFile(file, { ...EXAMPLE_ENV, CRM_SIGNING_SECRET: "" }, address)).toThrow(
      `${file}: destinations[1].signingSecrets[0].env: the environment variable CRM_SIGNING_SECRET is not set`,
    );
    const created = fileWith(stripeOnly({ url: "demo", signingSecrets: [{ create: "billing" }] }));
    expect(() => localConfigFromFile(created, {}, address)).toThrow(
      `${created}: destinations[0].signingSecrets[0]: the local stack reads secrets from the environment`,
    );
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe-AbCdEf";
    const fromArn = fileWith({
      ...stripeOnly({ url: "demo" }),
      providers: { stripe: { scheme: "stripe", secrets: [{ secretArn: arn }] } },
    });
    expect(() => localConfigFromFile(fromArn, {}, address)).toThrow(
      `${fromArn}: providers.stripe.secrets[0]: the local`,
    );
  });

  test("refuses a demo destination that signs with another secret than the demo consumer verifies", () => {
    const file = fileWith(stripeOnly({ url: "demo", signingSecrets: [{ env: "BILLING_SIGNING_SECRET" }] }));
    expect(() => localConfigFromFile(file, EXAMPLE_ENV, address)).toThrow(
      `${file}: destinations[0].signingSecrets[0]: the demo consumer verifies with ONCEGATE_SIGNING_SECRET`,
    );
  });

  test("names the file and the field of an invalid configuration, as cdk synth would", () => {
    const file = fileWith(stripeOnly({ url: "demo", events: ["invoice.", "charge.*"] }));
    expect(() => localConfigFromFile(file, {}, address)).toThrow(
      `${file}: destinations[0].events[0]: "invoice." has an empty segment`,
    );
    const unknown = fileWith(stripeOnly({ url: "demo", event: ["x"] }));
    expect(() => localConfigFromFile(unknown, {}, address)).toThrow(`${unknown}: destinations[0].event: unknown field`);
  });

  test("refuses a file that is missing or not JSON", () => {
    const missing = join(folder, "absent.json");
    expect(() => localConfigFromFile(missing, {}, address)).toThrow(
      `${missing}: cannot read the configuration file (ENOENT)`,
    );
    const broken = fileWith("{ providers: ");
    expect(() => localConfigFromFile(broken, {}, address)).toThrow(`${broken}: not JSON: `);
  });
});

describe("npm start -- --config", () => {
  test("takes the file from where the command was typed", () => {
    const options = parseStartOptions(["--config", "gateway.json"], { INIT_CWD: "/home/me/project" });
    expect(options.configFile).toBe("/home/me/project/gateway.json");
    expect(parseStartOptions([], {})).not.toHaveProperty("configFile");
  });

  test("refuses a variable the file would silently override", () => {
    expect(checkedConfigFile("g.json", { ONCEGATE_SWEEP_INTERVAL_SECONDS: "5" })).toBe("g.json");
    expect(() => checkedConfigFile("g.json", { ONCEGATE_DESTINATIONS: "demo" })).toThrow(
      "ONCEGATE_DESTINATIONS: set together with --config g.json: the file configures the gateway",
    );
    expect(() => checkedConfigFile("g.json", { ONCEGATE_RETRY_SCHEDULE: "1,1" })).toThrow(/^ONCEGATE_RETRY_SCHEDULE: /);
  });
});
