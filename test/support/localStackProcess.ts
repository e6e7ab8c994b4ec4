/** The stack as a child process: the logic lives in `local/` because the end-to-end benchmark uses it too. */
export * from "../../local/stackProcess.ts";
