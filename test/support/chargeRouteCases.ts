import { request } from "node:http";
import { expect, test } from "@jest/globals";
import { getItem, type localClient, scanAll } from "./dynamoDbTables.ts";

/**
 * The cases every server adapter's charge route must pass, over HTTP: its route answers `201` with an `x-charge`
 * header of the key and `{ charged: amount }`, writes `{ id: key, amount }` through `db` into `charges`, and throws
 * when the body says `fail`. `at()` gives the route's URL once the server listens; `runs` counts handler runs by key.
 */
/** POSTs a JSON webhook to `url`, with an `Idempotency-Key` unless `key` is undefined. */
export function postWebhook(url: string, key: string | undefined, body: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key === undefined ? {} : { "idempotency-key": key }) },
    body,
  });
}

/**
 * POSTs a JSON webhook with one `Idempotency-Key` line per key, as Node's raw header list: fetch's `Headers` would
 * join them into one line. A raw list gets no `Host` or `Content-Length` added, so they are given too.
 */
export function postWithKeyLines(
  url: string,
  keys: string[],
  body: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: unknown }> {
  const { host } = new URL(url);
  const lines = keys.flatMap((key) => ["Idempotency-Key", key]);
  const headers = [...lines, "Host", host, "Content-Type", "application/json"];
  headers.push("Content-Length", String(Buffer.byteLength(body)));
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: "POST", headers }, (answer) => {
      let text = "";
      answer.setEncoding("utf8");
      answer.on("data", (chunk: string) => {
        text += chunk;
      });
      answer.on("end", () =>
        resolve({ status: answer.statusCode ?? 0, headers: answer.headers, json: JSON.parse(text) }),
      );
    });
    sent.on("error", reject);
    sent.end(body);
  });
}

/** Runs `check` with the environment variable `name` unset, and puts it back after. */
export function withoutEnv(name: string, check: () => void): void {
  const saved = process.env[name];
  delete process.env[name];
  try {
    check();
  } finally {
    if (saved !== undefined) process.env[name] = saved;
  }
}

/** What the cases read: the tables the route writes to, and its handler runs by key. */
export type ChargeRouteContext = () => {
  client: ReturnType<typeof localClient>;
  records: string;
  charges: string;
  runs: Record<string, number>;
};

export function chargeRouteCases(prefix: string, at: () => string, context: ChargeRouteContext): void {
  const post = (key: string | undefined, body: string) => postWebhook(at(), key, body);

  test("50 concurrent duplicates run the handler once; later ones get its answer again, its db write committed", async () => {
    const { client, charges, runs } = context();
    const key = `${prefix}_storm`;
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(key, '{"amount":70}')));
    expect(runs[key]).toBe(1);
    expect(answers.every((answer) => answer.status === 201 || answer.status === 409)).toBe(true);
    const later = await post(key, '{"amount":70}');
    expect([later.status, later.headers.get("x-charge"), later.headers.get("idempotency-status")]).toEqual([
      201,
      key,
      "replayed",
    ]);
    expect(await later.json()).toEqual({ charged: 70 });
    expect(await getItem(client, charges, key)).toEqual({ id: key, amount: 70 });
  });

  test("a handler that throws answers 500, commits none of its writes, and is refused after (onError: fail)", async () => {
    const { client, charges, runs } = context();
    const key = `${prefix}_fails`;
    const first = await post(key, '{"amount":1,"fail":true}');
    expect([first.status, ((await first.json()) as { error: string }).error]).toEqual([500, "handler_failed"]);
    expect(await getItem(client, charges, key)).toBeUndefined();
    expect((await post(key, '{"amount":1,"fail":true}')).status).toBe(422);
    expect(runs[key]).toBe(1);
  });

  test("bodies that parse alike but differ as sent are told apart (422)", async () => {
    const key = `${prefix}_bytes`;
    expect((await post(key, '{"amount":10}')).status).toBe(201);
    expect((await post(key, '{"amount":1e1}')).status).toBe(422);
  });

  test("a request without an Idempotency-Key is refused 400, the handler not run", async () => {
    const answer = await post(undefined, '{"amount":1}');
    expect([answer.status, ((await answer.json()) as { error: string }).error]).toEqual([
      400,
      "missing_idempotency_key",
    ]);
  });

  repeatedKeyCases(prefix, at, context);
}

/**
 * An `Idempotency-Key` sent on several lines, read alike by every adapter (and the Lambda path): one value repeated
 * is that key; different values are refused, since which one the sender meant is a guess.
 */
export function repeatedKeyCases(prefix: string, at: () => string, context: ChargeRouteContext): void {
  test("rejects an Idempotency-Key sent twice with different values: 400 invalid_idempotency_key, nothing run or stored", async () => {
    const { client, records, charges, runs } = context();
    const [first, second] = [`${prefix}_lines_a`, `${prefix}_lines_b`];
    const answer = await postWithKeyLines(at(), [first, second], '{"amount":3}');
    expect([answer.status, (answer.json as { error: string }).error]).toEqual([400, "invalid_idempotency_key"]);
    expect([runs[first], runs[second], runs[`${first}, ${second}`]]).toEqual([undefined, undefined, undefined]);
    const stored = (await scanAll(client, records)).filter((item) => String(item.id).includes(`${prefix}_lines_`));
    expect(stored).toEqual([]);
    expect((await scanAll(client, charges)).filter((item) => String(item.id).includes(`${prefix}_lines_`))).toEqual([]);
  });

  test("takes an Idempotency-Key sent twice with one value as that key: one run, the duplicate replayed", async () => {
    const { client, charges, runs } = context();
    const key = `${prefix}_lines_same`;
    const first = await postWithKeyLines(at(), [key, key], '{"amount":4}');
    expect([first.status, first.headers["x-charge"], first.json]).toEqual([201, key, { charged: 4 }]);
    const again = await postWebhook(at(), key, '{"amount":4}');
    expect([again.status, again.headers.get("idempotency-status")]).toEqual([201, "replayed"]);
    expect(runs[key]).toBe(1);
    expect(await getItem(client, charges, key)).toEqual({ id: key, amount: 4 });
  });
}
