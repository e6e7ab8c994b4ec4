import type { ContenderResult } from "../contenderResult.ts";
import type { MeasuredScenario } from "../measureScenario.ts";
import type { ConsumerName } from "./consumerContenders.ts";

/**
 * Each way to use the SDK, against its floor (the same DynamoDB calls, raw, in the same place: in-process for the
 * Lambda wrappers, behind the same framework route for the servers) and against the Middy middleware.
 */
export const ADAPTERS = [
  { adapter: "ours", label: "Middy middleware", transport: "in-process", floor: "floor" },
  { adapter: "makeIdempotent", label: "makeIdempotent", transport: "in-process", floor: "floor" },
  { adapter: "express", label: "Express 5", transport: "HTTP", floor: "express-floor" },
  { adapter: "fastify", label: "Fastify 5", transport: "HTTP", floor: "fastify-floor" },
  { adapter: "web", label: "Web (Hono, @hono/node-server)", transport: "HTTP", floor: "web-floor" },
] as const satisfies readonly {
  adapter: ConsumerName;
  label: string;
  transport: "in-process" | "HTTP";
  floor: ConsumerName;
}[];

export type AdapterName = (typeof ADAPTERS)[number]["adapter"];

/** One adapter in one scenario, as written to the results file. */
export interface AdapterComparison {
  adapter: AdapterName;
  floor: ConsumerName;
  /** Interleaved ratios: p50 as the median of per-round ratios, p99 from the pooled samples. */
  overFloorP50: number;
  overFloorP99: number;
  overMiddyP50: number;
  overMiddyP99: number;
  /** The SDK's own cost: the adapter's p50 less its floor's (pooled samples). */
  sdkCostMsP50: number;
  /** What the HTTP hop costs: the framework floor's p50 less the in-process floor's; 0 for in-process adapters. */
  httpHopMsP50: number;
}

/** Every adapter against its floor and against the Middy middleware, in one measured scenario. */
export function compareAdapters(measured: MeasuredScenario<ConsumerName>): AdapterComparison[] {
  const p50 = (name: ConsumerName) => (measured.results[name] as ContenderResult).latency.p50;
  return ADAPTERS.map(({ adapter, floor }) => {
    const vsFloor = measured.ratio(adapter, floor);
    const vsMiddy = measured.ratio(adapter, "ours");
    return {
      adapter,
      floor,
      overFloorP50: vsFloor.p50,
      overFloorP99: vsFloor.p99,
      overMiddyP50: vsMiddy.p50,
      overMiddyP99: vsMiddy.p99,
      sdkCostMsP50: p50(adapter) - p50(floor),
      httpHopMsP50: p50(floor) - p50("floor"),
    };
  });
}
