import { describe, expect, test } from "@jest/globals";
import { oncegate } from "../../support/operatorCli.ts";

/**
 * Shell completion (`@bomb.sh/tab` on commander's command tree): `oncegate completion <shell>` prints the script a
 * shell sources; the shell then asks `oncegate complete -- <words>` and gets one `value<TAB>description` line per
 * candidate and a `:<directive>` line. Through the CLI's own entry point, as a shell runs it.
 */
const candidates = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith(":"))
    .map((line) => line.split("\t")[0]);

describe("oncegate completion", () => {
  test("prints a bash, zsh and fish script that asks the CLI itself", async () => {
    const bash = await oncegate(["completion", "bash"]);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('requestComp="oncegate complete -- $' + '{words[@]:1}"');
    expect(bash.stdout).toContain("complete -F __oncegate_complete oncegate");
    for (const shell of ["zsh", "fish"]) {
      const script = await oncegate(["completion", shell]);
      expect({ shell, code: script.code }).toEqual({ shell, code: 0 });
      expect(script.stdout).toContain("oncegate complete --");
    }
    const unknown = await oncegate(["completion", "tcsh"]);
    expect(unknown.code).toBe(2);
  });

  test("completes commands, subcommands, options and an option's choices", async () => {
    expect(candidates((await oncegate(["complete", "--", ""])).stdout)).toEqual(
      expect.arrayContaining(["events", "stats", "keys", "dlq"]),
    );
    expect(candidates((await oncegate(["complete", "--", "events", "re"])).stdout)).toEqual(["replay", "recover"]);
    expect(candidates((await oncegate(["complete", "--", "events", "list", "--st"])).stdout)).toEqual(
      expect.arrayContaining(["--status", "--stack"]),
    );
    expect(candidates((await oncegate(["complete", "--", "events", "list", "--status", ""])).stdout)).toEqual([
      "RECEIVED",
      "UNROUTED",
      "QUEUED",
      "DELIVERED",
      "FAILED",
      "DEAD",
    ]);
    expect(candidates((await oncegate(["complete", "--", "events", "recover", "--status", ""])).stdout)).toEqual([
      "FAILED",
      "DEAD",
      "UNROUTED",
    ]);
  });
});
