import { randomUUID } from "node:crypto";

/** Builders for the Lambda event shapes the SDK handles, with only the fields that matter. */

export function httpApiEvent(body: unknown, headers: Record<string, string> = {}, isBase64Encoded = false) {
  return {
    version: "2.0",
    routeKey: "POST /consumer",
    rawPath: "/consumer",
    rawQueryString: "",
    headers: { "content-type": "application/json", ...headers },
    requestContext: { http: { method: "POST", path: "/consumer" }, requestId: randomUUID() },
    body: typeof body === "string" ? body : JSON.stringify(body),
    isBase64Encoded,
  };
}

export function restApiEvent(body: unknown, headers: Record<string, string> = {}) {
  return {
    resource: "/consumer",
    path: "/consumer",
    httpMethod: "POST",
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    requestContext: { requestId: randomUUID() },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

export function albEvent(body: unknown, multiValueHeaders: Record<string, string[]>) {
  return {
    requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1" } },
    httpMethod: "POST",
    path: "/consumer",
    multiValueHeaders,
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

export function sqsRecord(body: unknown, key?: string, messageId: string = randomUUID()) {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: "1" },
    messageAttributes: key === undefined ? {} : { IdempotencyKey: { stringValue: key, dataType: "String" } },
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:1:jobs",
    awsRegion: "us-east-1",
  };
}

export function sqsEvent(records: ReturnType<typeof sqsRecord>[]) {
  return { Records: records };
}

export function eventBridgeEvent(id: string, detail: unknown) {
  return {
    version: "0",
    id,
    "detail-type": "order.created",
    source: "shop",
    account: "1",
    time: new Date(0).toISOString(),
    region: "us-east-1",
    resources: [],
    detail,
  };
}

/** A Lambda context with the fields the SDK reads. */
export function lambdaContext(functionName = "consumer-fn", remainingMs = 30_000) {
  return { functionName, awsRequestId: randomUUID(), getRemainingTimeInMillis: () => remainingMs };
}

export function bodyOf(response: unknown): Record<string, unknown> {
  return JSON.parse((response as { body: string }).body);
}
