import type { Table } from "../table.ts";
import type { ScenarioResult } from "./scenarioResult.ts";

/** The matrix as printed and pasted into the README: one row per scenario. */
export function matrixTable(results: readonly ScenarioResult[], totalMs: number): Table {
  return {
    title: "Reliability matrix",
    columns: [
      "scenario",
      "parameters",
      "events",
      "requests",
      "accepted",
      "delivered",
      "failed/dead (reasons)",
      "handler runs",
      "lost",
      "duplicated",
      "time",
    ],
    rows: results.map((result) => [
      result.scenario,
      result.parameters,
      result.eventsSent,
      result.requestsSent,
      result.accepted,
      result.delivered,
      failedCell(result),
      result.handlerRuns,
      result.lost,
      result.duplicated,
      `${(result.timeMs / 1000).toFixed(1)} s`,
    ]),
    notes: [
      `total ${(totalMs / 1000).toFixed(1)} s`,
      "lost: got a 2xx and did not end delivered (nor failed/dead with a recorded reason); duplicated: charges or receipts above the events accepted",
      ...results.flatMap((result) =>
        [...result.notes, ...result.problems].map((note) => `${result.scenario}: ${note}`),
      ),
    ],
  };
}

function failedCell(result: ScenarioResult): string {
  const reasons = Object.entries(result.reasons).map(([reason, count]) => `${count}× ${reason}`);
  return `${result.failed}/${result.dead}${reasons.length > 0 ? ` (${reasons.join(", ")})` : ""}`;
}
