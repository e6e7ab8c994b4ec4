import { readFileSync } from "node:fs";
import { describe, expect, test } from "@jest/globals";
import { GENERATED_PAGES, pageOf, replaceSection } from "../../../bench/generatedDocs.ts";
import { DEFAULT_RESULTS_DIR, isPublishedRun } from "../../../bench/results.ts";

describe("generated sections", () => {
  const page = ["# Page", "prose", "<!-- generated:sdk -->", "old table", "<!-- /generated:sdk -->", "more prose"].join(
    "\n",
  );

  test("replaces only what stands between a section's markers", () => {
    const next = replaceSection(page, "sdk", "### new table\n\n| a |");
    expect(next).toBe(
      [
        "# Page",
        "prose",
        "<!-- generated:sdk -->",
        "### new table",
        "",
        "| a |",
        "<!-- /generated:sdk -->",
        "more prose",
      ].join("\n"),
    );
  });

  test("rejects a section the page has no markers for", () => {
    expect(() => replaceSection(page, "cost", "x")).toThrow(/generated:cost/);
  });

  test("only a full run into the committed results folder publishes: quick runs and other folders never do", () => {
    expect(isPublishedRun(DEFAULT_RESULTS_DIR, { quick: false })).toBe(true);
    expect(isPublishedRun(DEFAULT_RESULTS_DIR, { quick: true })).toBe(false);
    expect(isPublishedRun("/tmp/elsewhere", { quick: false })).toBe(false);
  });

  test("a partial run's result has no page: only full runs publish", () => {
    expect(pageOf("reliability")).toBe(GENERATED_PAGES.reliability);
    expect(pageOf("sdk")).toBe(GENERATED_PAGES.performance);
    expect(pageOf("reliability-partial")).toBeUndefined();
  });

  test("the reliability page has its generated section", () => {
    const markdown = readFileSync(GENERATED_PAGES.reliability, "utf8");
    expect(markdown).toContain("<!-- generated:reliability -->");
    expect(markdown).toContain("<!-- /generated:reliability -->");
  });

  test("the performance page has a section for every benchmark script", () => {
    const markdown = readFileSync(GENERATED_PAGES.performance, "utf8");
    for (const name of ["sdk", "intake", "e2e", "bundle", "cost"]) {
      expect(markdown).toContain(`<!-- generated:${name} -->`);
      expect(markdown).toContain(`<!-- /generated:${name} -->`);
    }
  });
});
