import { randomUUID } from "node:crypto";
import { fireStorm } from "../../local/chaosStorm.ts";
import type { ChaosWebhook } from "../../local/chaosWebhooks.ts";
import { localSecret } from "../../local/localSecrets.ts";
import { fetchStats } from "../../local/stackClient.ts";
import { removeDataDir, startStack } from "../../local/stackProcess.ts";
import { githubEventId, signedGithubWebhook } from "../../local/webhookSigning.ts";
import { AnswerLedger } from "./answerLedger.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { scenarioRow, settledAccount } from "./scenarioRun.ts";
import { FAST_TIMINGS, SETTLE_TIMEOUT_MS } from "./stackTimings.ts";

const HOOKS = ["101", "202", "303"];
const COPIES = 2;

/** The same delivery GUID, as GitHub sends it to every hook subscribed to the event, each with its own payload. */
function fanOut(guid: string): ChaosWebhook[] {
  return HOOKS.map((hookId) => {
    const body = JSON.stringify({ action: "opened", hook_id: Number(hookId), note: `fan-out ${guid}` });
    const signed = signedGithubWebhook({ secret: localSecret({}, "github"), deliveryId: guid, hookId, body });
    return {
      provider: "github",
      eventId: githubEventId(guid, hookId),
      path: "/webhooks/github",
      body: signed.body,
      headers: { "content-type": "application/json", ...signed.headers },
    };
  });
}

/**
 * GitHub sends one `X-GitHub-Delivery` GUID to every hook subscribed to an event (github/docs#32822): `guids`
 * GUIDs, each sent by three hooks, each delivery twice. Every hook's event must be delivered, once.
 */
export async function runGithubFanOut(guids: number): Promise<ScenarioResult> {
  const startedMs = performance.now();
  const stack = await startStack({ env: { ...FAST_TIMINGS } }, 60_000);
  try {
    const before = await fetchStats(stack.baseUrl);
    const webhooks = Array.from({ length: guids }, () => fanOut(randomUUID())).flat();
    const ledger = new AnswerLedger(webhooks);
    const run = { baseUrl: stack.baseUrl, startedMs, before, webhooks, ledger, problems: [] as string[] };
    await fireStorm({ baseUrl: stack.baseUrl, webhooks, count: COPIES, concurrency: 16, onAnswer: ledger.record });
    const account = await settledAccount(run, SETTLE_TIMEOUT_MS);
    if (account.delivered !== guids * HOOKS.length) {
      run.problems.push(`${account.delivered} events delivered for ${guids} GUIDs × ${HOOKS.length} hooks`);
    }
    return scenarioRow(run, account, {
      scenario: "GitHub fan-out",
      parameters: `${guids} delivery GUIDs, each sent by ${HOOKS.length} hooks (own payloads), each delivery × ${COPIES}`,
      notes: [`answers ${JSON.stringify(ledger.outcomes)}`],
    });
  } finally {
    await stack.stop();
    await removeDataDir(stack.dataDir);
  }
}
