import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { boundedClientConfig } from "./awsClientLimits.ts";
import { errorCodeOf, SecretUnavailableError } from "./errors.ts";
import type { SecretRef } from "./gatewayConfig.ts";

/** Turns `SecretRef`s into secret values. Values are cached for the life of the process (one cold start). */
export interface SecretResolver {
  /** @throws {@link SecretUnavailableError} naming the variable, ARN or JSON key, never the value */
  resolve(ref: SecretRef): Promise<string>;
  /** Every value of a list, in order (e.g. the active secrets of a provider during rotation). */
  resolveAll(refs: readonly SecretRef[]): Promise<string[]>;
}

export interface SecretResolverOptions {
  /** Where `{ env }` references are read, usually `process.env`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Client for `{ secretArn }` references. @default one created on first use, from the standard AWS configuration */
  secretsManager?: SecretsManagerClient;
}

/**
 * A resolver that reads each secret once: `{ env: "NAME" }` from the environment, `{ secretArn, jsonKey? }` with
 * one `GetSecretValue` per ARN (`jsonKey` picks a field of a JSON secret). A failed read is not cached, so the
 * next request tries again. Values never reach a log line or an error message.
 */
export function createSecretResolver(options: SecretResolverOptions): SecretResolver {
  const cache = new Map<string, Promise<string>>();
  let secretsManager = options.secretsManager;

  function cached(key: string, load: () => Promise<string>): Promise<string> {
    let value = cache.get(key);
    if (value === undefined) {
      value = load();
      cache.set(key, value);
      value.catch(() => cache.delete(key));
    }
    return value;
  }

  function secretString(secretArn: string): Promise<string> {
    return cached(`arn\0${secretArn}`, async () => {
      // Bounded like the DynamoDB and SQS clients: a hung first read must end in our 503, not the Lambda timeout.
      secretsManager ??= new SecretsManagerClient(boundedClientConfig());
      let output: { SecretString?: string; SecretBinary?: Uint8Array };
      try {
        output = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretArn }));
      } catch (error) {
        // AWS errors name the secret and the failure, never its value: safe to keep as the cause.
        const reason = errorCodeOf(error);
        throw new SecretUnavailableError(`${secretArn} could not be read (${reason})`, { cause: error });
      }
      const value = output.SecretString ?? decodeBinary(output.SecretBinary);
      if (value === undefined || value === "") throw new SecretUnavailableError(`${secretArn} is empty`);
      return value;
    });
  }

  function resolve(ref: SecretRef): Promise<string> {
    if ("env" in ref) {
      return cached(`env\0${ref.env}`, async () => {
        const value = options.env[ref.env];
        if (value === undefined) throw new SecretUnavailableError(`environment variable ${ref.env} is not set`);
        if (value === "") throw new SecretUnavailableError(`environment variable ${ref.env} is empty`);
        return value;
      });
    }
    const { secretArn, jsonKey } = ref;
    if (jsonKey === undefined) return secretString(secretArn);
    return cached(`arn\0${secretArn}\0${jsonKey}`, async () =>
      pickJsonField(await secretString(secretArn), secretArn, jsonKey),
    );
  }

  return {
    resolve,
    resolveAll: (refs) => Promise.all(refs.map(resolve)),
  };
}

function decodeBinary(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString("utf8");
}

function pickJsonField(secret: string, secretArn: string, jsonKey: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    // No cause: V8's SyntaxError quotes the text it failed on, which is the secret itself.
    throw new SecretUnavailableError(`${secretArn} is not JSON, so it has no field "${jsonKey}"`);
  }
  const value =
    typeof parsed === "object" && parsed !== null && Object.hasOwn(parsed, jsonKey)
      ? (parsed as Record<string, unknown>)[jsonKey]
      : undefined;
  if (typeof value !== "string" || value === "") {
    throw new SecretUnavailableError(`${secretArn} has no non-empty string field "${jsonKey}"`);
  }
  return value;
}
