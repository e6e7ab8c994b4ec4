import { isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "./cliUsage.ts";
import { integerFromEnvironment, LOCAL_DEFAULTS, LOCAL_ENV } from "./localEnvironment.ts";

/** What `npm start` was asked for. */
export interface StartOptions {
  port: number;
  /** Absolute. */
  dataDir: string;
  inMemory: boolean;
  /** Absolute path of `--config`, when given. */
  configFile?: string;
  help: boolean;
}

/** The repository's root: the default data directory `.oncegate/` is there. */
export const REPOSITORY_ROOT = resolve(import.meta.dirname, "..");

export const START_USAGE = `usage: npm start -- [--port <port>] [--data-dir <path>] [--in-memory] [--config <file>]

  --port <port>      port of the HTTP front on 127.0.0.1 (else ONCEGATE_PORT, else ${LOCAL_DEFAULTS.port})
  --data-dir <path>  where state, logs, pid files and crash markers live (default: .oncegate/ in the repository)
  --in-memory        keep DynamoDB and SQS state in memory: nothing survives a restart
  --config <file>    run the gateway configuration file the CDK app deploys (JSON: providers, destinations with
                     their events filters…; secrets as { "env": "NAME" }), instead of ONCEGATE_DESTINATIONS`;

/**
 * Reads the flags (a relative `--data-dir`: see {@link dataDirOption}).
 * @throws UsageError for an unknown flag or a bad value
 */
export function parseStartOptions(argv: string[], env: Readonly<Record<string, string | undefined>>): StartOptions {
  let values: { port?: string; "data-dir"?: string; "in-memory"?: boolean; config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        "data-dir": { type: "string" },
        "in-memory": { type: "boolean" },
        config: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const portText = values.port ?? env[LOCAL_ENV.port];
  const port = portOrUsage(portText, values.port === undefined ? LOCAL_ENV.port : "--port", LOCAL_DEFAULTS.port);
  return {
    port,
    dataDir: dataDirOption(values["data-dir"], env),
    inMemory: values["in-memory"] === true,
    ...(values.config !== undefined && { configFile: fromWhereTyped(values.config, env) }),
    help: values.help === true,
  };
}

/**
 * The absolute data directory for a `--data-dir` flag: `.oncegate/` in the repository when there is none; a relative
 * one is taken from where the command was typed (`INIT_CWD`, which npm sets), not from the repository root where npm
 * runs scripts.
 */
export function dataDirOption(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  if (flag === undefined) return join(REPOSITORY_ROOT, ".oncegate");
  return fromWhereTyped(flag, env);
}

/** A path flag, absolute: a relative one is taken from where the command was typed (`INIT_CWD`, which npm sets). */
function fromWhereTyped(flag: string, env: Readonly<Record<string, string | undefined>>): string {
  return isAbsolute(flag) ? flag : resolve(env.INIT_CWD ?? process.cwd(), flag);
}

/**
 * A TCP port (0 lets the system pick one) read from `text`, which came from the flag or variable `name`; `fallback`
 * when it is missing.
 * @throws UsageError naming `name`
 */
export function portOrUsage(text: string | undefined, name: string, fallback: number): number {
  try {
    return integerFromEnvironment({ [name]: text }, name, fallback, { min: 0, max: 65_535 });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
