import { readFileSync } from "node:fs";
import { describe, expect, test } from "@jest/globals";
import { readmeTargetsTable } from "../../bench/cost/readmeTargets.ts";
import type { StorageTargetsData } from "../../bench/cost/storageTargets.ts";
import { GENERATED_PAGES, replaceSection } from "../../bench/generatedDocs.ts";
import { DEFAULT_RESULTS_DIR, readResult } from "../../bench/results.ts";

/**
 * The README's cost table is the committed `npm run bench:cost` run's, not a hand copy: rendering that run's targets
 * gives exactly the README's `cost-targets` section (a hand edit, or a run that did not publish it, fails here).
 */
describe("the README's Performance and cost table", () => {
  test("is what readmeTargetsTable renders from bench/results/cost.json", () => {
    const result = readResult<{ targets: StorageTargetsData }>(DEFAULT_RESULTS_DIR, "cost");
    expect(result).toBeDefined();
    const readme = readFileSync(GENERATED_PAGES.readme, "utf8");
    const rendered = replaceSection(
      readme,
      "cost-targets",
      readmeTargetsTable(result?.data.targets as StorageTargetsData),
    );
    expect(readme).toBe(rendered);
  });

  test("says a missed target is missed, and by how much", () => {
    const result = readResult<{ targets: StorageTargetsData }>(DEFAULT_RESULTS_DIR, "cost");
    const targets = result?.data.targets as StorageTargetsData;
    const missed = structuredClone(targets);
    const first = missed.bodies[0];
    if (first === undefined) throw new Error("no body rows");
    Object.assign(first, { met: false, overUsd: 1.5, functionUrlOverUsd: 0 });
    expect(readmeTargetsTable(missed).split("\n")[2]).toMatch(/\| no \(\+\$1\.50\) \|$/);
    Object.assign(first, { met: true, overUsd: 0 });
    expect(readmeTargetsTable(missed).split("\n")[2]).toMatch(/\| yes \|$/);
  });
});
