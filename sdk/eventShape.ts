/**
 * Recognises the Lambda event shapes the SDK handles and reads what it needs from them
 * (header values, body bytes). Pure: no I/O.
 */

/** An HTTP request event: API Gateway REST (v1) or HTTP API (v2), Function URL, or ALB. */
export interface HttpLikeEvent {
  /** "2.0" for API Gateway HTTP API (payload format 2.0) and Function URLs: repeated headers come comma-joined. */
  version?: string;
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, (string | undefined)[] | undefined> | null;
  body?: unknown;
  rawBody?: unknown;
  isBase64Encoded?: boolean;
}

export interface SqsRecordLike {
  messageId: string;
  body: string;
  messageAttributes?: Record<string, { stringValue?: string | undefined; dataType?: string } | undefined>;
  /** SQS system attributes; `MessageGroupId` is set on FIFO queues. */
  attributes?: { MessageGroupId?: string; [name: string]: string | undefined };
  eventSource?: string;
}

export type EventShape = "http" | "sqs" | "eventbridge" | "other";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Tells which kind of Lambda event this is. */
export function eventShapeOf(event: unknown): EventShape {
  if (!isObject(event)) return "other";
  const records = event.Records;
  if (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every((r) => isObject(r) && r.eventSource === "aws:sqs")
  ) {
    return "sqs";
  }
  const context = event.requestContext;
  if (isObject(context)) {
    // v1 has httpMethod, v2 and Function URLs have requestContext.http, ALB has requestContext.elb.
    if (typeof event.httpMethod === "string" || isObject(context.http) || isObject(context.elb)) return "http";
  }
  if (typeof event.id === "string" && typeof event["detail-type"] === "string" && "detail" in event) {
    return "eventbridge";
  }
  return "other";
}

/**
 * Reads a header case-insensitively, from `headers` and `multiValueHeaders` alike.
 * Several different values for the same header make it ambiguous: reported as `{ conflict: true }`.
 */
export function readHeader(event: HttpLikeEvent, name: string): { value?: string; conflict?: true } {
  const wanted = name.toLowerCase();
  const values = new Set<string>();
  for (const [key, value] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() !== wanted) continue;
    for (const v of value ?? []) if (typeof v === "string") values.add(v);
  }
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && typeof value === "string") values.add(value);
  }
  if (values.size > 1) return { conflict: true };
  const [value] = values;
  return value === undefined ? {} : { value };
}

/**
 * The request body as the sender sent it. A body parser earlier in the chain may have replaced
 * `body` with an object; its `rawBody` (kept by Middy's parsers) is preferred then.
 */
export function httpBodyOf(event: HttpLikeEvent): string | Buffer | object | null {
  const body = typeof event.rawBody === "string" ? event.rawBody : event.body;
  if (body === undefined || body === null) return null;
  if (typeof body === "string") return event.isBase64Encoded ? Buffer.from(body, "base64") : body;
  return body as object;
}

/** The webhook payload for a handler: the JSON-parsed body when it is JSON, else the text. */
export function parsePayload(body: string | Buffer | object | null): unknown {
  if (body === null) return undefined;
  if (typeof body !== "string" && !Buffer.isBuffer(body)) return body;
  const text = body.toString();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
