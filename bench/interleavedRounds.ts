import { median, percentile } from "./stats.ts";

/**
 * Runs contenders (ours, the alternative, the floor) in interleaved rounds: each round runs a batch of every
 * contender in turn, the order rotating from round to round (A B C, B C A, C A B…). Whatever slows the shared
 * 2-core machine for a while slows every contender of that round alike, so per-round ratios hold steady while
 * absolute times drift.
 */
export interface Contender<Input> {
  name: string;
  /** Builds the input of one invocation (event, key): untimed. */
  prepare(): Input;
  /** One invocation: timed, from call to settled promise. */
  invoke(input: Input): Promise<void>;
}

export interface RoundsPlan {
  rounds: number;
  /** Invocations of each contender per round. */
  perRound: number;
  /** Invocations of one contender in flight at once (1 = sequential). */
  concurrency: number;
}

export interface ContenderSamples {
  /** Every invocation's latency in ms, in completion order. */
  samples: number[];
  /** The p50 of each round, for per-round ratios. */
  roundP50s: number[];
  /** Invocations per second of each round (wall time of its batch). */
  roundThroughputs: number[];
}

export async function runInterleaved<Input>(
  contenders: readonly Contender<Input>[],
  plan: RoundsPlan,
): Promise<Map<string, ContenderSamples>> {
  const results = new Map<string, ContenderSamples>(
    contenders.map((contender) => [contender.name, { samples: [], roundP50s: [], roundThroughputs: [] }]),
  );
  for (let round = 0; round < plan.rounds; round++) {
    for (let turn = 0; turn < contenders.length; turn++) {
      const contender = contenders[(round + turn) % contenders.length] as Contender<Input>;
      const inputs = Array.from({ length: plan.perRound }, () => contender.prepare());
      const started = performance.now();
      const latencies = await runBatch(contender, inputs, plan.concurrency);
      const wallMs = performance.now() - started;
      const result = results.get(contender.name) as ContenderSamples;
      result.samples.push(...latencies);
      result.roundP50s.push(
        percentile(
          [...latencies].sort((a, b) => a - b),
          50,
        ),
      );
      result.roundThroughputs.push((plan.perRound / wallMs) * 1000);
    }
  }
  return results;
}

async function runBatch<Input>(contender: Contender<Input>, inputs: Input[], concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const input = inputs[next++] as Input;
      const started = performance.now();
      await contender.invoke(input);
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
  return latencies;
}

/** The median over rounds of `a`'s round p50 divided by `b`'s: the interleaved ratio the reports quote. */
export function medianRoundRatio(a: ContenderSamples, b: ContenderSamples): number {
  return median(a.roundP50s.map((p50, round) => p50 / (b.roundP50s[round] as number)));
}

/** Splits `n` invocations into `rounds` rounds (at least one invocation per round). */
export function planRounds(n: number, rounds: number, concurrency: number): RoundsPlan {
  const used = Math.max(1, Math.min(rounds, n));
  return { rounds: used, perRound: Math.ceil(n / used), concurrency };
}
