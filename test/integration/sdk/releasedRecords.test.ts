import { randomUUID } from "node:crypto";
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import middy from "@middy/core";
import { toEpochSec } from "../../../sdk/clock.ts";
import { idempotency } from "../../../sdk/index.ts";
import { claimRecord, completeRecord } from "../../../sdk/recordStore.ts";
import { createTable, deleteTable, getItem, localClient } from "../../support/dynamoDbTables.ts";
import { bodyOf, httpApiEvent, lambdaContext } from "../../support/lambdaEvents.ts";

const client = localClient();
let table: string;
beforeAll(async () => {
  table = await createTable(client, "sdk-released");
});
afterAll(async () => {
  await deleteTable(client, table);
  client.destroy();
});

let n = 0;
const newKey = (label: string) => `${label}-${Date.now()}-${n++}`;

/** What `oncegate keys release` leaves: the record's status RELEASED, the owner token and lease gone. */
async function release(id: string): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { id: { S: id } },
      UpdateExpression: "SET #status = :released REMOVE #ownerToken, #lease",
      ExpressionAttributeNames: { "#status": "status", "#ownerToken": "ownerToken", "#lease": "leaseExpiresAtMs" },
      ExpressionAttributeValues: { ":released": { S: "RELEASED" } },
    }),
  );
}

const replayed = (answer: unknown) =>
  (answer as { headers?: Record<string, string> }).headers?.["Idempotency-Status"] === "replayed";

function wrap(run: () => unknown) {
  const calls = { count: 0 };
  const handler = middy(async () => {
    calls.count += 1;
    return run();
  }).use(idempotency({ tableName: table, client, logger: () => {}, inProgressRetryAfterSeconds: 1 }));
  return { handler: handler as unknown as (e: unknown, c: unknown) => Promise<{ statusCode: number }>, calls };
}

describe("a record an operator released", () => {
  test("is claimed again by exactly one of 20 concurrent claims, whatever its payload", async () => {
    const id = `scope#${newKey("claims")}`;
    const first = await claimRecord(
      { client, tableName: table },
      {
        id,
        ownerToken: randomUUID(),
        fingerprint: "f1",
        nowMs: Date.now(),
        retentionSeconds: 60,
        leaseSeconds: undefined,
      },
    );
    expect(first.claimed).toBe(true);
    await release(id);

    const nowMs = Date.now();
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        claimRecord(
          { client, tableName: table },
          { id, ownerToken: `token-${index}`, fingerprint: "f2", nowMs, retentionSeconds: 60, leaseSeconds: 30 },
        ),
      ),
    );
    const won = claims.filter((claim) => claim.claimed);
    expect(won).toHaveLength(1);
    const stored = await getItem(client, table, id);
    expect(stored).toMatchObject({ status: "IN_PROGRESS", fingerprint: "f2", expiresAt: toEpochSec(nowMs) + 60 });
    for (const lost of claims.filter((claim) => !claim.claimed)) {
      expect(lost).toMatchObject({
        claimed: false,
        existing: { status: "IN_PROGRESS", ownerToken: stored?.ownerToken },
      });
    }
  });

  test("runs a handler that failed (onError: fail) exactly once more under 20 concurrent duplicates", async () => {
    let runs = 0;
    const { handler, calls } = wrap(() => {
      runs += 1;
      if (runs === 1) throw new Error("card declined");
      return { statusCode: 201, body: JSON.stringify({ charged: true }) };
    });
    const key = newKey("failed");
    const event = httpApiEvent({ amount: 42 }, { "Idempotency-Key": key });
    expect((await handler(event, lambdaContext())).statusCode).toBe(500);
    expect((await handler(event, lambdaContext())).statusCode).toBe(422);
    await release(`consumer-fn#${key}`);

    const answers = await Promise.all(Array.from({ length: 20 }, () => handler(event, lambdaContext())));
    expect(calls.count).toBe(2);
    // One ran it; the others were answered 409 in_progress while it ran, or its replayed answer once it completed.
    const ran = answers.filter((answer) => answer.statusCode === 201 && !replayed(answer));
    expect(ran).toHaveLength(1);
    for (const answer of answers) expect([201, 409]).toContain(answer.statusCode);
    expect(await getItem(client, table, `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
    // Every later delivery replays the stored answer.
    const replay = await handler(event, lambdaContext());
    expect(replay.statusCode).toBe(201);
    expect(bodyOf(replay)).toEqual({ charged: true });
    expect(calls.count).toBe(2);
  });

  test("makes a late completion of the released claim fail: the owner token and IN_PROGRESS are gone", async () => {
    const id = `scope#${newKey("late")}`;
    const ownerToken = randomUUID();
    await claimRecord(
      { client, tableName: table },
      { id, ownerToken, fingerprint: "f", nowMs: Date.now(), retentionSeconds: 60, leaseSeconds: undefined },
    );
    await release(id);
    const late = await completeRecord({ client, tableName: table }, { id, ownerToken }, { completedAtMs: 1 }, []);
    expect(late).toMatchObject({ kind: "ownership_lost", existing: { status: "RELEASED" } });
  });
});
