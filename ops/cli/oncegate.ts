#!/usr/bin/env node
/**
 * `oncegate`: the operator CLI (`npx oncegate --help`). Node 24 runs this TypeScript file directly (type stripping):
 * no build step. Everything it does is in `program.ts` and the operator library under `ops/`.
 */
import { processIo } from "./cliIo.ts";
import { runCli } from "./program.ts";

process.exitCode = await runCli(process.argv.slice(2), processIo());
