import {
  newRunId,
  planRecover,
  type RecoverSelection,
  type RecoverSummary,
  recoverEvents,
} from "../events/recoverEvents.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";

/**
 * The console's bulk recover runs: each runs in the background of the console's process (a recover is paced at its
 * rate, so it outlasts a request), and its page follows it by id. Kept in memory: a console stopped mid-run stops
 * the run, which `npx oncegate events recover --resume <runId>` (or a new run here) continues, since every replay
 * carries the run's id.
 */
export interface RecoverRun {
  runId: string;
  total: number;
  done: number;
  /** Set when the run has ended. */
  summary?: RecoverSummary;
  /** Set when the run could not go on (the target failed). */
  error?: { error: string; message: string };
}

export class RecoverRuns {
  readonly #runs = new Map<string, RecoverRun>();

  /** How many destinations the selection would replay (nothing changes). */
  async count(target: OperatorTarget, selection: RecoverSelection): Promise<number> {
    return (await planRecover(target, selection)).items.length;
  }

  /** Plans and starts a run; resolves with it once planned (its replays go on). */
  async start(
    target: OperatorTarget,
    selection: RecoverSelection,
    options: { ratePerSecond: number; nowMs: number },
  ): Promise<RecoverRun> {
    const plan = await planRecover(target, selection);
    const run: RecoverRun = {
      runId: selection.resumeRunId ?? newRunId(options.nowMs),
      total: plan.items.length,
      done: 0,
    };
    this.#runs.set(run.runId, run);
    const by = await target.identity();
    void recoverEvents(target, plan, {
      actor: { by, nowMs: options.nowMs, runId: run.runId },
      ratePerSecond: options.ratePerSecond,
      onProgress: (done) => {
        run.done = done;
      },
    }).then(
      (summary) => {
        run.summary = summary;
      },
      (error: Error & { code?: string }) => {
        run.error = { error: error.code ?? "recover_failed", message: error.message };
      },
    );
    return run;
  }

  get(runId: string): RecoverRun | undefined {
    return this.#runs.get(runId);
  }
}
