import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createTable, deleteTable, getItem, localClient } from "../../support/dynamoDbTables.ts";

const fixture = new URL("./fixtures/consumerProcess.ts", import.meta.url).pathname;
const client = localClient();
let table: string;
beforeAll(async () => {
  table = await createTable(client, "sdk-crash");
});
afterAll(async () => {
  await deleteTable(client, table);
  client.destroy();
});

function runConsumer(args: string[]) {
  // process.execPath is the Node 24 running Jest; it runs the TypeScript fixture natively.
  return spawnSync(process.execPath, ["--no-warnings", fixture, ...args], { encoding: "utf8", env: process.env });
}

describe("process crash mid-handler", () => {
  test("the handler is never re-entered: 20 later deliveries run nothing and the record stays IN_PROGRESS", async () => {
    const effects = join(mkdtempSync(join(tmpdir(), "oncegate-crash-")), "effects.log");
    const key = `crash-${Date.now()}`;

    const crashed = runConsumer([table, effects, key, "crash"]);
    expect(crashed.status).toBe(137);
    expect(readFileSync(effects, "utf8")).toBe(`${key}\n`);

    const restarted = runConsumer([table, effects, key, "replay", "20"]);
    expect(restarted.status).toBe(0);
    const { statuses } = JSON.parse(restarted.stdout) as { statuses: number[] };
    expect(statuses).toEqual(Array(20).fill(409));
    expect(readFileSync(effects, "utf8")).toBe(`${key}\n`);
    expect(await getItem(client, table, `crash-consumer#${key}`)).toMatchObject({ status: "IN_PROGRESS" });
  });
});
