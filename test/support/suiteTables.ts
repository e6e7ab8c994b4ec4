import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll } from "@jest/globals";
import { createTable, deleteTable, localClient } from "./dynamoDbTables.ts";

/**
 * Fresh tables for one test file, created before its tests and deleted after: `tables.name(0)` is the first.
 * Registers Jest hooks, so call it at the top of the file.
 */
export function suiteTables(...prefixes: string[]) {
  const client = localClient();
  const names: string[] = [];
  beforeAll(async () => {
    for (const prefix of prefixes) names.push(await createTable(client, prefix));
  });
  afterAll(async () => {
    for (const name of names) await deleteTable(client, name);
    client.destroy();
  });
  return {
    client,
    name: (index: number): string => {
      const name = names[index];
      if (name === undefined) throw new Error(`no table #${index}: suiteTables was given ${prefixes.length}`);
      return name;
    },
  };
}

let counter = 0;
/** A key no other test uses. */
export function newKey(label: string): string {
  counter += 1;
  return `${label}-${Date.now()}-${counter}`;
}

/** Writes an idempotency record as another invocation (or an older one) left it. */
export async function seedRecord(
  client: ReturnType<typeof localClient>,
  table: string,
  id: string,
  fields: { status: string; fingerprint: string; ownerToken?: string; startedAtMs?: number; expiresAtEpochSec: number },
): Promise<void> {
  const { expiresAtEpochSec, ...rest } = fields;
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: marshall({ id, ownerToken: "elsewhere", startedAtMs: Date.now(), ...rest, expiresAt: expiresAtEpochSec }),
    }),
  );
}
