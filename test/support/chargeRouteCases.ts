import { expect, test } from "@jest/globals";
import { getItem, type localClient } from "./dynamoDbTables.ts";

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

export function chargeRouteCases(
  prefix: string,
  at: () => string,
  context: () => { client: ReturnType<typeof localClient>; charges: string; runs: Record<string, number> },
): void {
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
}
