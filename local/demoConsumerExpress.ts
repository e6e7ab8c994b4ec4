import type { IncomingHttpHeaders } from "node:http";
import { idempotent, keepRawBody } from "@oncegate/sdk/express";
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from "express";
import { type Clock, systemClock } from "../lambdas/shared/clock.ts";
import type { CrashAt } from "./crashPoints.ts";
import {
  DEMO_CONSUMER_SCOPE,
  DEMO_IN_PROGRESS_RETRY_AFTER_SECONDS,
  type DemoConsumerOptions,
  demoHandler,
  refuseUnsigned,
} from "./demoCharge.ts";
import { DEMO_CONSUMER_PATH } from "./localConfig.ts";
import { LOCAL_TABLES } from "./stackResources.ts";

/**
 * The demo consumer as an Express app on `@oncegate/sdk/express`, with WebhookGate's locked API
 * (`app.post(path, idempotent(async ({ req, res, event, db, key }) => …))`): the same signature check, handler and
 * crash points as the Lambda consumer (`demoConsumer.ts`), so the README's proof and crash test give the same
 * numbers with either (`npm run consumer -- --framework express`).
 */

// A Function URL takes 6 MB; the gateway delivers bodies up to its 5 MB maximum. express.json's default is 100 KB.
const BODY_LIMIT = "6mb";

/** What the Express demo consumer needs besides the Lambda one's options. */
export interface ExpressDemoConsumerOptions extends DemoConsumerOptions {
  /** Told about a request that failed inside the consumer (answered 500). */
  onError(error: unknown): void;
}

/** The Express app serving `POST /consumer/demo` only. */
export function createExpressDemoConsumer(options: ExpressDemoConsumerOptions): Express {
  const clock = options.clock ?? systemClock;
  const run = demoHandler(options);
  const app = express();
  app.disable("x-powered-by");
  app.post(
    DEMO_CONSUMER_PATH,
    express.json({ verify: keepRawBody, limit: BODY_LIMIT }),
    // Whatever else a provider sends (GitHub's form-encoded payloads): kept as bytes, so the signature still checks.
    express.raw({ type: () => true, verify: keepRawBody, limit: BODY_LIMIT }),
    gatewaySignatureCheck(options.signingSecret, clock),
    crashAfterCommit(options.crashAt),
    idempotent(
      async ({ req, res, key, db }) => {
        const charged = await run({ key, db, headers: singleValued(req.headers) });
        res.locals.ran = true;
        res.status(201).json(charged);
      },
      {
        tableName: LOCAL_TABLES.idempotency,
        scope: DEMO_CONSUMER_SCOPE,
        client: options.ddb,
        inProgressRetryAfterSeconds: DEMO_IN_PROGRESS_RETRY_AFTER_SECONDS,
        logger: options.logger,
      },
    ),
  );
  app.all(DEMO_CONSUMER_PATH, (_req, res) => {
    res.status(405).json({ ok: false, error: "method_not_allowed" });
  });
  app.use((_req, res) => {
    res.status(404).json({ ok: false, error: "not_found", routes: [`POST ${DEMO_CONSUMER_PATH}`] });
  });
  app.use(answerErrors(options.onError));
  return app;
}

function gatewaySignatureCheck(signingSecret: string, clock: Clock): RequestHandler {
  return (req, res, next) => {
    const refusal = refuseUnsigned(signingSecret, clock, {
      rawBody: (req as { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0),
      headers: singleValued(req.headers) as Record<string, string>,
      method: req.method,
      rawPath: req.path,
    });
    if (refusal === undefined) return next();
    res.status(401).json(refusal);
  };
}

/**
 * The crash point `consumer:after-commit`: the adapter sends the answer with `res.end` only once the completion (and
 * the charge) is committed, so dying in the first `end` of a run that got that far dies after the commit, before
 * any byte of the answer leaves. Replays and refusals never ran the handler and never reach it.
 */
function crashAfterCommit(crashAt: CrashAt): RequestHandler {
  return (_req, res, next) => {
    const end = res.end;
    res.end = function (this: typeof res, ...args: unknown[]) {
      if (res.locals.ran === true) crashAt("consumer:after-commit");
      return (end as (...all: unknown[]) => typeof res).apply(this, args);
    } as typeof res.end;
    next();
  };
}

/** Node keeps repeated headers as arrays (set-cookie) or joined; the demo reads single values. */
function singleValued(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value]),
  );
}

/**
 * Body-parser refusals (malformed JSON 400, too large 413) as the JSON errors the rest of the stack answers; any
 * other error is a bug of the consumer: told to `onError`, answered 500.
 */
function answerErrors(onError: (error: unknown) => void): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    const status = (error as { status?: number; type?: string }).status;
    if (status === 400) return void res.status(400).json({ ok: false, error: "invalid_json", message: error.message });
    if (status === 413) return void res.status(413).json({ ok: false, error: "payload_too_large", limit: BODY_LIMIT });
    onError(error);
    if (res.headersSent) return void res.destroy();
    res.status(500).json({ ok: false, error: (error as Error).name ?? "Error" });
  };
}
