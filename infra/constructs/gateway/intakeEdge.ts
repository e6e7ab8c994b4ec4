import type { Duration } from "aws-cdk-lib";
import type { Metric } from "aws-cdk-lib/aws-cloudwatch";

/**
 * What providers POST to: the HTTP API (default) or the intake's Lambda function URL (`intakeEdge: "functionUrl"`,
 * $1.00 less per million webhooks; see `docs/deploy.md` for what it gives up).
 */
export type IntakeEdgeKind = "httpApi" | "functionUrl";

/** The edge's own request metrics, whichever it is: the alarms and the dashboard read only these. */
export interface IntakeEdgeMetrics {
  requests(period: Duration): Metric;
  clientErrors(period: Duration): Metric;
  serverErrors(period: Duration): Metric;
  latencyP99(period: Duration): Metric;
  /** Requests refused for rate before the intake ran (API Gateway's 429s, or Lambda throttles behind a URL). */
  throttled: Metric;
  /** One sentence for the throttle alarm: who answered 429 and where to look. */
  throttledDescription: string;
}

/** An edge in front of the intake. */
export interface IntakeEdge {
  /** `https://…/webhooks/`: a provider's webhook URL is this followed by the provider's name. */
  readonly intakeUrl: string;
  readonly metrics: IntakeEdgeMetrics;
}
