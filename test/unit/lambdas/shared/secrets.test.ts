import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterEach, describe, expect, test } from "@jest/globals";
import { mockClient } from "aws-sdk-client-mock";
import { SecretUnavailableError } from "../../../../lambdas/shared/errors.ts";
import { createSecretResolver } from "../../../../lambdas/shared/secrets.ts";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhooks-AbCdEf";
const VALUE = "whsec_the_actual_secret_value";

async function rejection(promise: Promise<unknown>): Promise<SecretUnavailableError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SecretUnavailableError);
    return error as SecretUnavailableError;
  }
  throw new Error("expected a rejection");
}

describe("createSecretResolver, environment references", () => {
  test("reads { env } from the given environment", async () => {
    const secrets = createSecretResolver({ env: { STRIPE_SECRET: VALUE } });
    expect(await secrets.resolve({ env: "STRIPE_SECRET" })).toBe(VALUE);
  });

  test("reads each variable once per resolver (one cold start), even if the environment changes", async () => {
    const env: Record<string, string> = { A: "first" };
    const secrets = createSecretResolver({ env });
    expect(await secrets.resolve({ env: "A" })).toBe("first");
    env.A = "changed";
    expect(await secrets.resolve({ env: "A" })).toBe("first");
    expect(await createSecretResolver({ env }).resolve({ env: "A" })).toBe("changed");
  });

  test("resolves a list in order", async () => {
    const secrets = createSecretResolver({ env: { NEW: "n", OLD: "o" } });
    expect(await secrets.resolveAll([{ env: "NEW" }, { env: "OLD" }])).toEqual(["n", "o"]);
  });

  test("fails naming a missing variable, and tries again on the next call", async () => {
    const env: Record<string, string> = {};
    const secrets = createSecretResolver({ env });
    const error = await rejection(secrets.resolve({ env: "GITHUB_SECRET" }));
    expect(error.code).toBe("secret_unavailable");
    expect(error.message).toBe("Secret unavailable: environment variable GITHUB_SECRET is not set");
    env.GITHUB_SECRET = VALUE;
    expect(await secrets.resolve({ env: "GITHUB_SECRET" })).toBe(VALUE);
  });

  test("refuses an empty variable: an empty HMAC key would accept forged signatures", async () => {
    const error = await rejection(createSecretResolver({ env: { S: "" } }).resolve({ env: "S" }));
    expect(error.message).toContain("environment variable S is empty");
  });
});

describe("createSecretResolver, Secrets Manager references", () => {
  const client = new SecretsManagerClient({ region: "eu-west-1" });
  const sm = mockClient(client);
  afterEach(() => {
    sm.reset();
  });

  test("reads the whole secret string with one GetSecretValue, cached", async () => {
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: VALUE });
    const secrets = createSecretResolver({ env: {}, secretsManager: client });
    const values = await Promise.all([secrets.resolve({ secretArn: ARN }), secrets.resolve({ secretArn: ARN })]);
    expect(values).toEqual([VALUE, VALUE]);
    expect(await secrets.resolve({ secretArn: ARN })).toBe(VALUE);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test("picks jsonKey fields of a JSON secret, still with one call per ARN", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ current: "c", previous: "p", n: 5 }) });
    const secrets = createSecretResolver({ env: {}, secretsManager: client });
    expect(
      await secrets.resolveAll([
        { secretArn: ARN, jsonKey: "current" },
        { secretArn: ARN, jsonKey: "previous" },
      ]),
    ).toEqual(["c", "p"]);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    const error = await rejection(secrets.resolve({ secretArn: ARN, jsonKey: "n" }));
    expect(error.message).toBe(`Secret unavailable: ${ARN} has no non-empty string field "n"`);
    await expect(secrets.resolve({ secretArn: ARN, jsonKey: "constructor" })).rejects.toThrow(
      'no non-empty string field "constructor"',
    );
  });

  test("decodes a binary secret as UTF-8", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new TextEncoder().encode(VALUE) });
    expect(await createSecretResolver({ env: {}, secretsManager: client }).resolve({ secretArn: ARN })).toBe(VALUE);
  });

  test("never puts the value in the error when a jsonKey is asked of a secret that is not JSON", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: VALUE });
    const error = await rejection(
      createSecretResolver({ env: {}, secretsManager: client }).resolve({ secretArn: ARN, jsonKey: "current" }),
    );
    expect(error.message).toBe(`Secret unavailable: ${ARN} is not JSON, so it has no field "current"`);
    // JSON.parse's own message quotes its input: it must not travel along as the cause.
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(VALUE);
  });

  test("fails naming the ARN and the AWS error, not caching the failure", async () => {
    const denied = Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" });
    sm.on(GetSecretValueCommand).rejectsOnce(denied).resolves({ SecretString: VALUE });
    const secrets = createSecretResolver({ env: {}, secretsManager: client });
    const error = await rejection(secrets.resolve({ secretArn: ARN }));
    expect(error.message).toBe(`Secret unavailable: ${ARN} could not be read (AccessDeniedException)`);
    expect(error.cause).toBe(denied);
    expect(await secrets.resolve({ secretArn: ARN })).toBe(VALUE);
  });

  test("refuses an empty secret", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: "" });
    const error = await rejection(
      createSecretResolver({ env: {}, secretsManager: client }).resolve({ secretArn: ARN }),
    );
    expect(error.message).toBe(`Secret unavailable: ${ARN} is empty`);
  });
});

describe("createSecretResolver, a secret stored or rotated after the deploy", () => {
  const clockAt = (start: number) => {
    const clock = { now: start, nowMs: () => clock.now };
    return clock;
  };

  function rotatingSecret(values: (string | Error)[]) {
    const client = new SecretsManagerClient({ region: "eu-west-1" });
    const mock = mockClient(client);
    let reads = 0;
    mock.on(GetSecretValueCommand).callsFake(async () => {
      const value = values[Math.min(reads, values.length - 1)];
      reads += 1;
      if (value instanceof Error) throw value;
      return { SecretString: value };
    });
    return { client, reads: () => reads, restore: () => mock.restore() };
  }

  test("reads a Secrets Manager value again once its cache TTL has passed", async () => {
    const secret = rotatingSecret(["placeholder", "whsec_real"]);
    const clock = clockAt(0);
    const secrets = createSecretResolver({ env: {}, secretsManager: secret.client, clock, cacheTtlMs: 300_000 });
    expect(await secrets.resolve({ secretArn: ARN })).toBe("placeholder");
    clock.now = 299_999;
    expect(await secrets.resolve({ secretArn: ARN })).toBe("placeholder");
    clock.now = 300_000;
    expect(await secrets.resolve({ secretArn: ARN })).toBe("whsec_real");
    expect(secret.reads()).toBe(2);
    secret.restore();
  });

  test("refresh() re-reads at once, at most once a minute", async () => {
    const secret = rotatingSecret(["v1", "v2", "v3"]);
    const clock = clockAt(1_000_000);
    const secrets = createSecretResolver({ env: {}, secretsManager: secret.client, clock });
    expect(await secrets.resolve({ secretArn: ARN })).toBe("v1");
    expect(secrets.refresh()).toBe(true);
    expect(await secrets.resolve({ secretArn: ARN })).toBe("v2");
    clock.now += 59_999;
    expect(secrets.refresh()).toBe(false);
    expect(await secrets.resolve({ secretArn: ARN })).toBe("v2");
    clock.now += 1;
    expect(secrets.refresh()).toBe(true);
    expect(await secrets.resolve({ secretArn: ARN })).toBe("v3");
    expect(secret.reads()).toBe(3);
    secret.restore();
  });

  test("keeps serving the value it had when a re-read fails", async () => {
    const down = Object.assign(new Error("unavailable"), { name: "InternalServiceError" });
    const secret = rotatingSecret(["v1", down]);
    const clock = clockAt(0);
    const secrets = createSecretResolver({ env: {}, secretsManager: secret.client, clock });
    expect(await secrets.resolve({ secretArn: ARN })).toBe("v1");
    clock.now = 10 * 60_000;
    expect(await secrets.resolve({ secretArn: ARN })).toBe("v1");
    secret.restore();
  });

  test("never refreshes environment values (they cannot change inside a process)", async () => {
    const secrets = createSecretResolver({ env: { A: "a" } });
    await secrets.resolve({ env: "A" });
    expect(secrets.refresh()).toBe(false);
  });
});
