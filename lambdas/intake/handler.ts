import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { bodyStoreFromEnvironment } from "../shared/body/bodyStoreDependencies.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import { errorCodeOf, InvalidEventIdError } from "../shared/errors.ts";
import type { NewEvent } from "../shared/eventRecord.ts";
import { gatewayDependenciesFromEnvironment } from "../shared/gatewayDependencies.ts";
import { INTAKE_DEADLINE_MS } from "../shared/intakeTimeouts.ts";
import { jsonLogger, type Logger } from "../shared/logger.ts";
import { emfCounterFor, type MetricCounter, REASON_DIMENSION } from "../shared/metrics.ts";
import type { ResolvedGatewayConfig } from "../shared/parseGatewayConfig.ts";
import { ReplayedBodyError } from "../shared/replayGuard.ts";
import { RequestDeadline } from "../shared/requestDeadline.ts";
import { createSecretResolver, type SecretResolver } from "../shared/secrets.ts";
import { type AcceptDependencies, acceptWebhook, type IntakeFaults } from "./acceptWebhook.ts";
import {
  acceptedAnswer,
  duplicateAnswer,
  type HttpAnswer,
  payloadTooLargeAnswer,
  type RejectionCode,
  rejection,
  unavailableAnswer,
} from "./httpAnswers.ts";
import { capForLog, type IntakeLogLine, logIntake } from "./intakeLog.ts";
import { bodySizeOf, methodOf, providerOf, signedRequestOf } from "./intakeRequest.ts";
import { newEventItem } from "./newEventItem.ts";
import { verifySignedRequest } from "./signatures/index.ts";
import { verifierConfigFor } from "./verifierConfig.ts";

export type { IntakeFaults } from "./acceptWebhook.ts";

/** What {@link createIntakeHandler} is built from. */
export interface IntakeHandlerOptions {
  /** Validated configuration (`parseGatewayConfig`). */
  config: ResolvedGatewayConfig;
  secrets: SecretResolver;
  ddb: DynamoDBClient;
  sqs: SQSClient;
  /** The body bucket's client: bodies above the inline limit are uploaded before their claim. */
  s3: S3Client;
  bodyBucket: string;
  eventsTable: string;
  queueUrl: string;
  /** @default the system clock */
  clock?: Clock;
  /** @default one JSON line per request on stdout */
  logger?: Logger;
  /** Crash-test hooks. @default none */
  faults?: IntakeFaults;
  /** Counts `Accepted` and `Duplicate` (the dashboard's metrics). @default none; inside Lambda, EMF lines */
  countMetric?: MetricCounter;
  /** Counts a refusal by its code (the rejection alarms' metric). @default none; inside Lambda, EMF lines */
  countRejected?: (reason: RejectionCode) => void;
  /**
   * Every request is answered within this many milliseconds: each AWS call gets the time left, and a request out
   * of time answers 503 + Retry-After. @default INTAKE_DEADLINE_MS (8 s; the Lambda and API timeouts derive from it)
   */
  deadlineMs?: number;
}

/** The intake Lambda: an API Gateway HTTP API (payload 2.0) request in, a JSON answer out; it never throws. */
export type IntakeHandler = (event: APIGatewayProxyEventV2) => Promise<HttpAnswer>;

type LogDraft = Partial<IntakeLogLine>;

/**
 * Builds the handler of `POST /webhooks/{provider}`: refuse (404, 405, 413, 401, 400) without writing anything,
 * else store the event once, enqueue one job per destination and answer 202 (200 for a duplicate). Any store,
 * queue or secret failure answers 503, so the sender retries: nothing is acknowledged unless stored and enqueued.
 */
export function createIntakeHandler(options: IntakeHandlerOptions): IntakeHandler {
  const { config, secrets } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? jsonLogger;
  const accept: AcceptDependencies = {
    events: { client: options.ddb, tableName: options.eventsTable },
    sqs: options.sqs,
    queueUrl: options.queueUrl,
    clock,
    sweepAfterSeconds: config.sweepAfterSeconds,
    bodies: { s3: options.s3, bucket: options.bodyBucket },
    faults: options.faults,
  };

  const deadlineMs = options.deadlineMs ?? INTAKE_DEADLINE_MS;

  async function answer(event: APIGatewayProxyEventV2, line: LogDraft, deadline: RequestDeadline): Promise<HttpAnswer> {
    const refuse = (code: RejectionCode, message: string) => {
      line.error = code;
      return rejection(code, message);
    };
    const provider = providerOf(event) ?? "";
    // Own properties only: a provider named "constructor" must not find Object.prototype's.
    const scheme = Object.hasOwn(config.providers, provider) ? config.providers[provider] : undefined;
    if (scheme === undefined) {
      if (provider !== "") line.provider = capForLog(provider);
      return refuse("unknown_provider", "no provider is configured under this name");
    }
    line.provider = provider;
    if (methodOf(event) !== "POST") return refuse("method_not_allowed", "webhooks are accepted with POST only");
    line.bodyBytes = bodySizeOf(event);
    if (line.bodyBytes > config.maxBodyBytes) {
      line.error = "payload_too_large";
      return payloadTooLargeAnswer(config.maxBodyBytes);
    }
    const request = signedRequestOf(event);
    const readSecrets = () => deadline.race("reading the provider's secrets", verifierConfigFor(scheme, secrets));
    // One instant per request: the signature's freshness and the stored receivedAtMs agree.
    const nowMs = clock.nowMs();
    const verifierConfig = await readSecrets();
    let verifyStarted = performance.now();
    let verified = verifySignedRequest(verifierConfig, request, nowMs);
    // A secret put into Secrets Manager after the deploy (Stripe shows it only once the endpoint exists) is read
    // again at once, at most once a minute per instance, so a new secret works without a redeploy or a cold start.
    if (!verified.ok && verified.error === "invalid_signature" && secrets.refresh()) {
      const fresh = await readSecrets();
      verifyStarted = performance.now();
      verified = verifySignedRequest(fresh, request, nowMs);
    }
    line.verifyMs = performance.now() - verifyStarted;
    if (!verified.ok) return refuse(verified.error, verified.message);
    const { eventId } = verified;
    line.eventId = capForLog(eventId);
    let item: NewEvent;
    try {
      const attributes = verified.attributes;
      item = newEventItem({ provider, scheme: scheme.scheme, eventId, request, attributes }, config, nowMs);
    } catch (error) {
      if (error instanceof InvalidEventIdError) return refuse("invalid_event_id", error.message);
      throw error;
    }
    line.idempotencyKey = item.state.idempotencyKey;
    let result: Awaited<ReturnType<typeof acceptWebhook>>;
    try {
      result = await acceptWebhook(accept, item, deadline, scheme.replayWindowSeconds);
    } catch (error) {
      if (error instanceof ReplayedBodyError) return refuse("replayed_body", error.message);
      throw error;
    }
    Object.assign(line, result);
    const { idempotencyKey } = item.state;
    return result.outcome === "accepted"
      ? acceptedAnswer(eventId, idempotencyKey)
      : duplicateAnswer(eventId, idempotencyKey, result.outcome === "requeued");
  }

  return async function intake(event) {
    const started = performance.now();
    const deadline = new RequestDeadline(deadlineMs);
    const line: LogDraft = {};
    let response: HttpAnswer;
    try {
      // The race answers by the deadline even if a call ignores its abort signal; work left running is harmless:
      // whatever it writes, the sender retries the 503, and the stored event is enqueued by that retry or the sweeper.
      response = await deadline.race("the request", answer(event, line, deadline));
    } catch (error) {
      line.outcome = "unavailable";
      line.error = errorCodeOf(error);
      const cause = (error as { cause?: unknown } | null)?.cause;
      if (cause !== undefined) line.errorCause = errorCodeOf(cause);
      response = unavailableAnswer();
    }
    const outcome = line.outcome ?? "rejected";
    logIntake(logger, { ...line, outcome, status: response.statusCode, totalMs: performance.now() - started });
    if (outcome === "accepted") options.countMetric?.("Accepted");
    if (outcome === "accepted" && line.unrouted === true) options.countMetric?.("Unrouted");
    if (outcome === "duplicate" || outcome === "requeued") options.countMetric?.("Duplicate");
    if (outcome === "rejected" && line.error !== undefined) options.countRejected?.(line.error as RejectionCode);
    return response;
  };
}

/**
 * Builds the intake handler from the environment (`ENV`): validated configuration, the standard AWS clients and
 * secrets read from `env` or Secrets Manager. `overrides` replace any part (the local stack adds `faults`).
 * @throws InvalidConfigurationError naming the variable or configuration field
 */
export function intakeHandlerFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<IntakeHandlerOptions> = {},
): IntakeHandler {
  const count = emfCounterFor(env);
  return createIntakeHandler({
    ...gatewayDependenciesFromEnvironment(env),
    ...bodyStoreFromEnvironment(env),
    secrets: createSecretResolver({ env }),
    countMetric: count,
    countRejected: count && ((reason) => count("Rejected", { [REASON_DIMENSION]: reason })),
    ...overrides,
  });
}

let fromEnvironment: IntakeHandler | undefined;

/**
 * The Lambda entry point, built once per cold start from `process.env`. An invalid configuration fails the
 * first invocation of the cold start with InvalidConfigurationError naming the field (and every later one).
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<HttpAnswer> {
  fromEnvironment ??= intakeHandlerFromEnvironment(process.env);
  return fromEnvironment(event);
}
