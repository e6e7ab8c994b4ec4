import { setTimeout as sleep } from "node:timers/promises";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { InvalidConfigurationError } from "../lambdas/shared/errors.ts";
import { seededRandom } from "./seededRandom.ts";

/**
 * Fault injection for the gateway's AWS calls: an AWS SDK middleware that, at a seeded rate, makes a call fail the
 * ways AWS calls really fail. It sits inside the SDK's retry loop (`finalizeRequest`, after retries), so the SDK
 * retries a faulted attempt exactly as it would a real one, and the gateway sees what is left when retries run out.
 *
 * - `lost`: the request is sent and applied, then its answer is lost (a reset connection): the retry re-sends a
 *   write that already happened.
 * - `throttle`: refused before it is applied, with the throttling error the service sends (S3: `SlowDown`, 503;
 *   DynamoDB and SQS: `ThrottlingException`, 400).
 * - `server-error`: refused before it is applied with a 500.
 * - `hang`: no answer for `hangMs` (past the client's request timeout), then the timeout error; not applied.
 */
export const AWS_FAULT_KINDS = ["lost", "throttle", "server-error", "hang"] as const;
export type AwsFaultKind = (typeof AWS_FAULT_KINDS)[number];

export interface AwsFaultOptions {
  /** Share of attempts faulted, in [0, 1]. */
  rate: number;
  /** Seed of the choice of attempts and kinds: one seed, one sequence of faults. */
  seed: number;
  /** @default every kind */
  kinds?: readonly AwsFaultKind[];
  /** How long a `hang` lasts. @default 2 500 ms, past the gateway clients' 2 s request timeout */
  hangMs?: number;
}

/** What was injected, by kind and by command: a scenario reports it next to its figures. */
export type AwsFaultCounts = Record<AwsFaultKind, number> & { byCommand: Record<string, number> };

function transient(name: string, message: string, httpStatusCode?: number): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode === undefined || httpStatusCode >= 500 ? "server" : "client",
    $metadata: httpStatusCode === undefined ? {} : { httpStatusCode },
  });
}

/** The throttling error each service sends: S3's is a 503 `SlowDown` ("Reduce your request rate"). */
function throttled(clientName: string | undefined, command: string): Error {
  return clientName === "S3Client"
    ? transient("SlowDown", `injected: ${command} answered 503 Slow Down`, 503)
    : transient("ThrottlingException", `injected: ${command} throttled`, 400);
}

/**
 * A lost answer to a streaming read (S3 `GetObject`): the response arrived and is dropped, so its body stream must be
 * closed, or its socket would stay taken until the process ends.
 */
function dropResponse(output: unknown): void {
  const body = (output as { response?: { body?: { destroy?: () => void } } })?.response?.body;
  body?.destroy?.();
}

/** Adds the fault middleware to `client`; returns the live counts of what it injected. */
export function injectAwsFaults(
  client: DynamoDBClient | SQSClient | S3Client,
  options: AwsFaultOptions,
): AwsFaultCounts {
  const random = seededRandom(options.seed);
  const kinds = options.kinds ?? AWS_FAULT_KINDS;
  const hangMs = options.hangMs ?? 2_500;
  const counts: AwsFaultCounts = { lost: 0, throttle: 0, "server-error": 0, hang: 0, byCommand: {} };
  const stack = client.middlewareStack as DynamoDBClient["middlewareStack"];
  stack.add(
    (next, context) => async (args) => {
      if (random() >= options.rate) return next(args);
      const kind = kinds[Math.floor(random() * kinds.length)] as AwsFaultKind;
      counts[kind] += 1;
      const command = context.commandName ?? "unknown";
      counts.byCommand[command] = (counts.byCommand[command] ?? 0) + 1;
      switch (kind) {
        case "lost":
          dropResponse(await next(args));
          throw transient("TimeoutError", `injected: answer to ${command} lost after it applied`);
        case "throttle":
          throw throttled(context.clientName, command);
        case "server-error":
          throw transient("InternalServerError", `injected: ${command} answered 500`, 500);
        case "hang":
          await sleep(hangMs);
          throw transient("TimeoutError", `injected: ${command} hung past the request timeout`);
      }
    },
    { step: "finalizeRequest", priority: "low", name: "oncegateAwsFaults" },
  );
  return counts;
}

/** `ONCEGATE_AWS_FAULTS`: `rate=0.05,seed=1[,hangMs=2500][,kinds=lost+throttle]`, or unset for none. */
export const AWS_FAULTS_ENV = "ONCEGATE_AWS_FAULTS";

/** The fault options the environment asks for, or `undefined`. @throws InvalidConfigurationError naming the part */
export function awsFaultsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): AwsFaultOptions | undefined {
  const text = env[AWS_FAULTS_ENV]?.trim();
  if (text === undefined || text === "") return undefined;
  const parts = new Map(text.split(",").map((part) => part.split("=").map((side) => side.trim()) as [string, string]));
  const number = (key: string, min: number, max: number) => {
    const value = Number(parts.get(key));
    if (!(value >= min && value <= max)) {
      throw new InvalidConfigurationError(AWS_FAULTS_ENV, `${key} must be a number from ${min} to ${max}`);
    }
    return value;
  };
  const kinds = parts.get("kinds")?.split("+") ?? [...AWS_FAULT_KINDS];
  const unknown = kinds.filter((kind) => !(AWS_FAULT_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) throw new InvalidConfigurationError(AWS_FAULTS_ENV, `unknown kinds ${unknown.join(", ")}`);
  return {
    rate: number("rate", 0, 1),
    seed: Math.floor(number("seed", 0, 2 ** 32 - 1)),
    kinds: kinds as AwsFaultKind[],
    ...(parts.has("hangMs") && { hangMs: number("hangMs", 0, 60_000) }),
  };
}
