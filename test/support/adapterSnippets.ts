import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { expect } from "@jest/globals";

/**
 * The docs' examples of the SDK's server adapters and `makeIdempotent`, taken from a page as printed, and what a test
 * appends to run one: a server listening on a free port that prints `{"port":N}`, or two calls of the function with
 * one order and one with another amount that print `{"results":[…]}`. Every example charges into the table `charges` and answers 201 (the
 * function returns `{charged}`), so one test can check them all the same way.
 */

export type SnippetKind = "express" | "fastify" | "web" | "function";

export interface AdapterSnippet {
  page: string;
  /** The line of the code block's opening fence. */
  line: number;
  kind: SnippetKind;
  code: string;
}

/** Which adapter a ```ts block shows, by what it imports; undefined for the other examples. */
function kindOf(code: string): SnippetKind | undefined {
  if (code.includes('from "@oncegate/sdk/express"')) return "express";
  if (code.includes('from "@oncegate/sdk/fastify"')) return "fastify";
  if (code.includes('from "@oncegate/sdk/web"')) return "web";
  if (/import \{ makeIdempotent \} from "@oncegate\/sdk"/.test(code)) return "function";
  return undefined;
}

/** The ```ts blocks of a page that show an adapter or `makeIdempotent`, in page order. */
export function adapterSnippets(page: string): AdapterSnippet[] {
  const lines = readFileSync(page, "utf8").split("\n");
  const snippets: AdapterSnippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "```ts") continue;
    const line = i + 1;
    const body: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i] as string);
    const code = `${body.join("\n")}\n`;
    const kind = kindOf(code);
    if (kind) snippets.push({ page, line, kind, code });
  }
  return snippets;
}

// What each kind of example needs to run: the examples stop at the route (or the function), as an app does before
// it starts listening. Only these lines are added; the example itself is kept byte for byte.
const STARTERS: Record<SnippetKind, string> = {
  express: `
const server = app.listen(0, "127.0.0.1", () =>
  console.log(JSON.stringify({ node: process.version, port: (server.address() as { port: number }).port })),
);
`,
  fastify: `
await app.listen({ port: 0, host: "127.0.0.1" });
console.log(JSON.stringify({ node: process.version, port: (app.server.address() as { port: number }).port }));
`,
  web: `
import { serve } from "@hono/node-server";
serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
  console.log(JSON.stringify({ node: process.version, port: info.port })),
);
`,
  function: `
const order = { id: process.env.ORDER_ID ?? "", amount: 42 };
const results = [await charge(order), await charge(order)];
const reused = await charge({ ...order, amount: 43 }).then(String, (error: { code: string }) => error.code);
console.log(JSON.stringify({ node: process.version, results: [...results, reused] }));
`,
};

/** The example followed by the lines that start it. */
export function runnableSnippet(snippet: AdapterSnippet): string {
  return `${snippet.code}${STARTERS[snippet.kind]}`;
}

export interface SnippetProcess {
  child: ChildProcess;
  /** Every line it printed to stdout so far: the SDK's log lines and the starter's own. */
  stdout: string[];
  stderr: string[];
  /** Resolves with the first line the starter prints (`{"port":N}` or `{"results":…}`), parsed. */
  started: Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Runs `file` (a runnable snippet) with `node` in `cwd`; rejects `started` if it exits before printing its line. */
export function runSnippet(node: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const child = spawn(node, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
  // "close", not "exit": every line it printed has been read by then.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const started = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      stdout.push(line);
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if ("port" in parsed || "results" in parsed) resolve(parsed);
      } catch {
        // Not JSON: kept in stdout for the assertion that reads it.
      }
    });
    void exited.then((code) => reject(new Error(`exited ${code} before starting: ${stderr.join("")}`)));
  });
  started.catch(() => {}); // the caller awaits it; an exit after the start is not an error
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return { child, stdout, stderr, started, stop } satisfies SnippetProcess;
}

/** The tables the examples name: their `db.put` goes to `charges`, makeIdempotent's records to `idempotency`. */
export const EXAMPLE_TABLES = ["charges", "idempotency"] as const;

/**
 * Creates the examples' tables unless they exist. They are left in place: other test files use them at the same time
 * (with keys of their own), and the harness's DynamoDB Local is in memory, gone after the run.
 */
export async function ensureExampleTables(client: DynamoDBClient): Promise<void> {
  for (const name of EXAMPLE_TABLES) {
    await client
      .send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      )
      .catch((error: Error) => {
        if (error.name !== "ResourceInUseException") throw error;
      });
  }
}

export interface ServerAnswer {
  status: number;
  /** The `Idempotency-Status` header. */
  replayed: string | null;
  body: unknown;
}

/** Two deliveries of one key to a server example's route, then a third with another payload. */
export async function postThrice(port: number, key: string): Promise<ServerAnswer[]> {
  const post = (body: string) =>
    fetch(`http://127.0.0.1:${port}/webhooks/stripe`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": key },
      body,
    }).then(async (response) => ({
      status: response.status,
      replayed: response.headers.get("idempotency-status"),
      body: await response.json(),
    }));
  return [await post('{"amount":42}'), await post('{"amount":42}'), await post('{"amount":43}')];
}

/** What every server example answers those three: one run, the same answer replayed, the other payload refused. */
export const THRICE_ANSWERS = [
  { status: 201, replayed: null, body: { charged: true } },
  { status: 201, replayed: "replayed", body: { charged: true } },
  { status: 422, replayed: "mismatch", body: expect.objectContaining({ error: "idempotency_key_reused" }) },
];

/** The outcomes of the SDK's own log lines (one per request or call) among what a process printed. */
export function loggedOutcomes(stdout: string[]): string[] {
  return stdout.flatMap((line) => {
    const parsed = JSON.parse(line) as { msg?: string; outcome?: string };
    return parsed.msg === "oncegate.idempotency" && parsed.outcome ? [parsed.outcome] : [];
  });
}
