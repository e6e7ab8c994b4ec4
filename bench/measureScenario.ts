import { type ContenderResult, contenderResult } from "./contenderResult.ts";
import {
  type Contender,
  type ContenderSamples,
  medianRoundRatio,
  type RoundsPlan,
  runInterleaved,
} from "./interleavedRounds.ts";

/** A contender of a scenario, and how to take the AWS calls its clients made meanwhile. */
export interface MeasuredContender<Input> {
  contender: Contender<Input>;
  takeCalls(): string[];
}

/** One scenario's numbers: each contender's result, and the interleaved ratio of any two. */
export interface MeasuredScenario<Name extends string> {
  results: Record<Name, ContenderResult>;
  /** `a`/`b` at p50 (median of the per-round ratios) and at p99 (pooled samples). */
  ratio(a: Name, b: Name): { p50: number; p99: number };
}

/** Runs the contenders in interleaved rounds and joins their latencies with the calls they made. */
export async function measureScenario<Name extends string, Input>(
  contenders: readonly MeasuredContender<Input>[],
  plan: RoundsPlan,
): Promise<MeasuredScenario<Name>> {
  const samples = await runInterleaved(
    contenders.map(({ contender }) => contender),
    plan,
  );
  const samplesOf = (name: Name) => samples.get(name) as ContenderSamples;
  const results = Object.fromEntries(
    contenders.map(({ contender, takeCalls }) => [
      contender.name,
      contenderResult(samplesOf(contender.name as Name), takeCalls()),
    ]),
  ) as Record<Name, ContenderResult>;
  return {
    results,
    ratio: (a, b) => ({
      p50: medianRoundRatio(samplesOf(a), samplesOf(b)),
      p99: results[a].latency.p99 / results[b].latency.p99,
    }),
  };
}
