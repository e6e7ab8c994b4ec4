import { spawnSync } from "node:child_process";
import { describe, expect, test } from "@jest/globals";

const root = new URL("../../../", import.meta.url).pathname;

describe("package export", () => {
  test("`@oncegate/sdk` resolves to compiled JavaScript that a plain node script can import", () => {
    const script = `import("@oncegate/sdk").then((sdk) => console.log(JSON.stringify([typeof sdk.idempotency, typeof sdk.idempotent, import.meta.resolve("@oncegate/sdk")])))`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(result.stderr).toBe("");
    const [middleware, wrapper, resolved] = JSON.parse(result.stdout) as string[];
    expect(middleware).toBe("function");
    expect(wrapper).toBe("function");
    expect(resolved).toMatch(/\/sdk\/dist\/index\.js$/);
  });

  test("`@oncegate/sdk/table-setup` is its own entry point, so the table set-up never ships inside `@oncegate/sdk`", () => {
    const script = `Promise.all([import("@oncegate/sdk"), import("@oncegate/sdk/table-setup")]).then(([sdk, setup]) => console.log(JSON.stringify([typeof setup.ensureIdempotencyTable, "ensureIdempotencyTable" in sdk, import.meta.resolve("@oncegate/sdk/table-setup")])))`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(result.stderr).toBe("");
    const [setup, inMain, resolved] = JSON.parse(result.stdout) as [string, boolean, string];
    expect(setup).toBe("function");
    expect(inMain).toBe(false);
    expect(resolved).toMatch(/\/sdk\/dist\/tableSetup\.js$/);
  });
});
