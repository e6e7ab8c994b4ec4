import { Duration, RemovalPolicy } from "aws-cdk-lib";
import type { ThrottleSettings } from "aws-cdk-lib/aws-apigatewayv2";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { GatewayDeploymentConfig } from "../gatewayDeploymentConfig.ts";
import type { IntakeEdgeKind } from "./gateway/intakeEdge.ts";

export interface WebhookGatewayProps {
  /**
   * What providers POST to. `"functionUrl"`: the intake's Lambda function URL, $1.00 less per million webhooks than
   * the HTTP API, but with no stage or per-provider throttle (the intake's reserved concurrency is the only limit),
   * no custom domain, no access log, and every path invokes the intake. `throttle`, `domainName`, `certificateArn`,
   * `disableExecuteApiEndpoint` and providers' `rateLimit`/`burstLimit` are refused with it. @default "httpApi"
   */
  readonly intakeEdge?: IntakeEdgeKind;
  /**
   * Providers, destinations and delivery settings: the Lambdas' `GatewayConfig`, with secrets as
   * {@link GatewayDeploymentConfig} references. Checked at synth time by the Lambdas' own parser.
   */
  readonly config: GatewayDeploymentConfig;
  /**
   * The intake API's default throttle (requests per second, burst), applied to each provider's route that sets no
   * `providers.<name>.rateLimit` of its own. @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: ThrottleSettings;
  /**
   * A custom domain for the intake, e.g. `hooks.example.com`: providers keep their URL if the API is ever replaced.
   * Needs `certificateArn`; point a DNS CNAME or alias at the `IntakeDomainTarget` output. @default none
   */
  readonly domainName?: string;
  /** An ACM certificate for `domainName`, in the stack's region. @default none */
  readonly certificateArn?: string;
  /** Refuse requests on the `execute-api` URL, so only the domain works. @default true with domainName, else false */
  readonly disableExecuteApiEndpoint?: boolean;
  /**
   * Concurrency reserved for the intake, so an account whose concurrency is exhausted elsewhere still runs it.
   * @default ceil(intakePeakRequestsPerSecond × intakeP99Latency in seconds), 100 with the other defaults
   */
  readonly intakeReservedConcurrency?: number;
  /** The most requests per second the intake must absorb. @default the sum of the providers' routes' rate limits */
  readonly intakePeakRequestsPerSecond?: number;
  /** The intake's p99 latency at that rate, cold starts included; at most its timeout. @default 1 second */
  readonly intakeP99Latency?: Duration;
  /** Jobs per delivery invocation (at most 10 without a batching window). @default 10 */
  readonly deliveryBatchSize?: number;
  /** How long the event source gathers jobs before invoking. @default none: jobs are delivered as they arrive */
  readonly deliveryBatchingWindow?: Duration;
  /**
   * Most concurrent delivery invocations per destination (2 to 1000), which caps the load on each consumer: each
   * destination has an event source of its own, and a destination's `maxConcurrency` takes precedence. @default 5
   */
  readonly deliveryMaxConcurrency?: number;
  /** The delivery function's timeout; at least every destination's `timeoutMs` plus 5 seconds. @default 30 seconds */
  readonly deliveryTimeout?: Duration;
  /**
   * X-Ray active tracing of the intake, delivery and sweeper (Lambda's segments: cold start and invocation time).
   * HTTP APIs have no X-Ray tracing of their own. @default false
   */
  readonly tracing?: boolean;
  /**
   * Lambda's own lines of every invocation (`platform.start`, `platform.report`: duration, billed duration, memory
   * used, init time) in the functions' logs. Off, the functions' system log level is WARN and Lambda sends only its
   * warnings and errors (a timeout, an out-of-memory, a crash): about 900 of the ~1 700 log bytes an accepted and
   * delivered event costs, $0.42 per million webhooks. Duration, errors, throttles and concurrency stay CloudWatch
   * metrics either way; the memory used per invocation is what only these lines show. @default false
   */
  readonly platformLogs?: boolean;
  /** Retention of the functions' and the API's logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** What deleting the stack does to the events table, the queues and the log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Refuse `DeleteTable` on the events table until turned off. @default true, false when removalPolicy is DESTROY */
  readonly deletionProtection?: boolean;
  /**
   * Start of the fixed physical names: the table `<prefix>-events`, and per destination the queues `<base>-<id>` and
   * `<base>-<id>-dlq`, where `<base>` is `og` + 8 hex digits of the prefix's SHA-256. Two gateways in one stack need
   * different prefixes. @default the stack's name
   */
  readonly resourceNamePrefix?: string;
  /** Where the alarms send ALARM and OK. @default a new SNS topic */
  readonly alarmTopic?: ITopic;
  /** Alarm when a delivery job waits longer than this. @default 15 minutes, or the first two retry delays + 5 minutes */
  readonly oldestJobAlarmThreshold?: Duration;
  /** Alarm when this share of intake requests (in %) is answered 5xx over 5 minutes. @default 5 */
  readonly intakeServerErrorAlarmPercent?: number;
  /** Alarm when a destination needs this many retries within 15 minutes (one alarm per destination). @default 10 */
  readonly destinationRetryAlarmThreshold?: number;
  /** Alarm when this share of intake requests (in %) is refused 401 over 5 minutes (at least 5 requests). @default 25 */
  readonly intakeSignatureRefusalAlarmPercent?: number;
}

/** The defaults documented on {@link WebhookGatewayProps}. */
export const WEBHOOK_GATEWAY_DEFAULTS = {
  throttle: { rateLimit: 100, burstLimit: 200 },
  intakeP99Latency: Duration.seconds(1),
  deliveryBatchSize: 10,
  deliveryMaxConcurrency: 5,
  deliveryTimeout: Duration.seconds(30),
  logRetention: RetentionDays.ONE_MONTH,
  removalPolicy: RemovalPolicy.RETAIN,
  oldestJobAlarmThreshold: Duration.minutes(15),
  intakeServerErrorAlarmPercent: 5,
  destinationRetryAlarmThreshold: 10,
  intakeSignatureRefusalAlarmPercent: 25,
} as const;

/** Every prop's name: checked at run time too (a settings file is data), and kept complete by the type. */
const PROP_NAMES = {
  config: true,
  intakeEdge: true,
  throttle: true,
  domainName: true,
  certificateArn: true,
  disableExecuteApiEndpoint: true,
  intakeReservedConcurrency: true,
  intakePeakRequestsPerSecond: true,
  intakeP99Latency: true,
  deliveryBatchSize: true,
  deliveryBatchingWindow: true,
  deliveryMaxConcurrency: true,
  deliveryTimeout: true,
  tracing: true,
  platformLogs: true,
  logRetention: true,
  removalPolicy: true,
  deletionProtection: true,
  resourceNamePrefix: true,
  alarmTopic: true,
  oldestJobAlarmThreshold: true,
  intakeServerErrorAlarmPercent: true,
  destinationRetryAlarmThreshold: true,
  intakeSignatureRefusalAlarmPercent: true,
} as const satisfies Record<keyof WebhookGatewayProps, true>;

export const WEBHOOK_GATEWAY_PROP_NAMES: readonly string[] = Object.keys(PROP_NAMES);

const API_ONLY_PROPS = ["throttle", "domainName", "certificateArn", "disableExecuteApiEndpoint"] as const;

/**
 * The edge the props ask for, refusing settings only the HTTP API can honour when it is the function URL: a throttle
 * or a domain silently dropped would be a promise broken in production.
 * @throws Error naming the prop or the provider's field
 */
export function intakeEdgeOf(props: WebhookGatewayProps): IntakeEdgeKind {
  const edge = props.intakeEdge ?? "httpApi";
  if (edge !== "httpApi" && edge !== "functionUrl") {
    throw new Error(`intakeEdge: expected "httpApi" or "functionUrl", got ${JSON.stringify(edge)}`);
  }
  if (edge === "httpApi") return edge;
  for (const name of API_ONLY_PROPS) {
    if (props[name] !== undefined)
      throw new Error(`${name}: only the HTTP API edge has it; remove it or the intakeEdge`);
  }
  for (const [provider, settings] of Object.entries(props.config.providers)) {
    for (const field of ["rateLimit", "burstLimit"] as const) {
      if (settings[field] !== undefined) {
        throw new Error(
          `config.providers.${provider}.${field}: a function URL has no per-route throttle; remove it or the intakeEdge`,
        );
      }
    }
  }
  return edge;
}

/**
 * Refuses a prop the construct does not know (props can come from a settings file, not only from typed code).
 * @throws Error naming the prop
 */
export function rejectUnknownProps(props: object): void {
  for (const name of Object.keys(props)) {
    if (!WEBHOOK_GATEWAY_PROP_NAMES.includes(name)) {
      throw new Error(`${name}: unknown prop (expected one of ${WEBHOOK_GATEWAY_PROP_NAMES.join(", ")})`);
    }
  }
}
