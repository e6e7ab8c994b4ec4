import type { Command } from "commander";
import { OperatorUsageError } from "../errors.ts";
import { DEFAULT_LOCAL_URL, localTarget } from "../target/localTarget.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import { stackTarget } from "../target/stackTarget.ts";

/** The options every command takes: where it acts, and how it prints. */
export interface CommonOptions {
  local?: string | boolean;
  stack?: string;
  region?: string;
  profile?: string;
  json?: boolean;
}

/** Adds the target options to a command: where it acts (`console` takes only these: it prints no JSON). */
export function withTargetOptions(command: Command): Command {
  return command
    .option("--local [url]", `the local stack (npm start); the default target`, undefined)
    .option("--stack <name>", "a deployed gateway: its CloudFormation stack's name")
    .option("--region <region>", "with --stack: the stack's region (default: AWS_REGION, the profile's)")
    .option("--profile <name>", "with --stack: a named AWS profile (default: the standard credentials chain)");
}

/** Adds the target and output options to a command. */
export function withCommonOptions(command: Command): Command {
  return withTargetOptions(command).option("--json", "print one JSON document (shapes in docs/operations.md)");
}

/**
 * The target the options name: `--stack` (a deployed gateway) or `--local [url]` (default `http://127.0.0.1:4000`),
 * the local stack when neither is given.
 * @throws OperatorUsageError for contradictory options; whatever building the target throws
 */
export function resolveTarget(options: CommonOptions): Promise<OperatorTarget> {
  if (options.stack !== undefined && options.local !== undefined) {
    throw new OperatorUsageError("conflicting_targets", "--local and --stack name two targets: pass one of them.");
  }
  if (options.stack !== undefined) {
    return stackTarget({ stackName: options.stack, region: options.region, profile: options.profile });
  }
  if (options.region !== undefined || options.profile !== undefined) {
    throw new OperatorUsageError(
      "stack_option_without_stack",
      "--region and --profile apply to a stack: pass --stack <name> too.",
    );
  }
  const url = typeof options.local === "string" ? options.local : DEFAULT_LOCAL_URL;
  return localTarget(url);
}

/** Runs `action` on the target the options name, and releases its clients however the action ends. */
export async function withTarget<T>(
  options: CommonOptions,
  action: (target: OperatorTarget) => Promise<T>,
): Promise<T> {
  const target = await resolveTarget(options);
  try {
    return await action(target);
  } finally {
    target.close();
  }
}
