/**
 * The intake's time limits, all derived from one constant so they can never disagree:
 *
 *   INTAKE_DEADLINE_MS (8 s)          every request is answered by then: each AWS call gets only the time left, and
 *                                     when it is used up the intake answers 503 + Retry-After itself
 *   Lambda timeout (10 s)             the deadline plus room to build the answer and write the log line
 *   HTTP API integration timeout      the Lambda's plus a second, so API Gateway never cuts an intake that is
 *   (11 s)                            still within its own timeout (a bare 5xx without Retry-After)
 *
 * The worst case without a deadline was a put (≈ 6 s of SDK attempts), two SendMessageBatch calls (≈ 12 s) and
 * markQueued (≈ 6 s) against the 10 s Lambda timeout.
 */
export const INTAKE_DEADLINE_MS = 8_000;
/** Between the deadline and the Lambda's end: the answer, the log line, a slow cold start's first request. */
const ANSWER_MARGIN_MS = 2_000;
/** Between the Lambda's timeout and API Gateway's. */
const INTEGRATION_MARGIN_MS = 1_000;

/** The intake Lambda's timeout, in seconds (for the CDK `Duration`). */
export const INTAKE_LAMBDA_TIMEOUT_SECONDS = (INTAKE_DEADLINE_MS + ANSWER_MARGIN_MS) / 1000;
/** The HTTP API's integration timeout for the intake route, in seconds (at most 30). */
export const INTAKE_INTEGRATION_TIMEOUT_SECONDS = INTAKE_LAMBDA_TIMEOUT_SECONDS + INTEGRATION_MARGIN_MS / 1000;
