/** The tests count AWS SDK calls with the benchmarks' counter: one implementation of "exact, not timed". */
export { countRequests } from "../../bench/requestCounter.ts";
