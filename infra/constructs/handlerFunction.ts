import { join } from "node:path";
import { type Duration, type RemovalPolicy, Validations } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { handlerBundling, LOCK_FILE, REPOSITORY_ROOT } from "./bundling.ts";

export interface HandlerFunctionProps {
  /** The handler module, from the repository root, e.g. `lambdas/intake/handler.ts`; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /** Retries of a failed asynchronous invocation (EventBridge). @default 2 (Lambda's own default) */
  readonly asyncRetryAttempts?: number;
  /** How long an asynchronous invocation may wait in Lambda's queue (a throttle). @default 6 hours (Lambda's) */
  readonly asyncMaxEventAge?: Duration;
  /** Concurrency reserved for (and capping) this function. @default none: the account's unreserved pool */
  readonly reservedConcurrency?: number;
  /** X-Ray active tracing of each invocation (Lambda's own segments: init, invocation). @default false */
  readonly tracing?: boolean;
  /** Lambda's platform.start and platform.report lines (system log level INFO); WARN without. @default false */
  readonly platformLogs?: boolean;
}

/**
 * One Oncegate Lambda: Node.js 24 on ARM64 (cheaper per GB-second than x86 for this I/O-bound code), bundled by
 * {@link handlerBundling}, JSON logs in its own log group with a retention, and its own role that starts with
 * nothing but writing to that log group (no AWSLambdaBasicExecutionRole, whose `logs:*` resources are wildcards).
 */
export class HandlerFunction extends Construct {
  readonly lambdaFunction: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `${props.description}: writes its own logs, plus the grants the gateway adds`,
    });
    this.logGroup.grantWrite(this.role);
    if (props.tracing) {
      // Lambda adds xray:PutTraceSegments and PutTelemetryRecords on "*" to the role's default policy.
      Validations.of(this.role).acknowledge({
        id: "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        reason: "X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions.",
      });
    }
    this.lambdaFunction = new NodejsFunction(this, "Function", {
      entry: join(REPOSITORY_ROOT, props.entry),
      handler: "handler",
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: LOCK_FILE,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      description: props.description,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      // Explicit, because the gateway counts on it: `debug` lines (each duplicate request) are dropped by Lambda
      // before CloudWatch ingests them, and `warn`/`error` lines keep their level for filters.
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      // WARN keeps Lambda's own warnings and errors (timeouts, out-of-memory, crashes) and drops the two lines every
      // invocation adds, about half of what an event's logs cost ("Log-level filtering", AWS Lambda Developer Guide:
      // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html).
      systemLogLevelV2: props.platformLogs ? SystemLogLevel.INFO : SystemLogLevel.WARN,
      // Stack traces point into the TypeScript sources through the bundled source map.
      environment: { NODE_OPTIONS: "--enable-source-maps", ...props.environment },
      bundling: handlerBundling(this),
      retryAttempts: props.asyncRetryAttempts,
      maxEventAge: props.asyncMaxEventAge,
      reservedConcurrentExecutions: props.reservedConcurrency,
      tracing: props.tracing ? Tracing.ACTIVE : undefined,
    });
  }
}
