import { PassThrough } from "node:stream";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { afterAll, describe, expect, test } from "@jest/globals";
import { mockClient } from "aws-sdk-client-mock";
import type { CliIo } from "../../../ops/cli/cliIo.ts";
import { runCli } from "../../../ops/cli/program.ts";

const cloudFormation = mockClient(CloudFormationClient);
afterAll(() => cloudFormation.restore());

/** The CLI's entry (`runCli`, what `oncegate.ts` calls) with captured streams and no terminal. */
async function cli(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => {
    out += chunk;
  });
  stderr.on("data", (chunk) => {
    err += chunk;
  });
  const io: CliIo = { stdout, stderr, stdin: new PassThrough(), env: {}, nowMs: Date.now };
  const code = await runCli(argv, io);
  return { code, stdout: out, stderr: err };
}

describe("oncegate --stack", () => {
  test("exits 3 with one sentence for an unknown stack, and --json prints the error's code", async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error("Stack with id Nope does not exist"), { name: "ValidationError" }));
    const run = await cli(["dlq", "list", "--stack", "Nope", "--region", "eu-west-1", "--json"]);

    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      "oncegate: There is no stack Nope in eu-west-1: check --stack and --region (npx cdk list names the app's stacks).\n",
    );
    expect(JSON.parse(run.stdout)).toEqual({ error: { code: "no_such_stack", message: expect.any(String) } });
  });

  test("asks nothing and reads nothing for a state change without --yes when there is no terminal", async () => {
    cloudFormation.reset();
    const run = await cli([
      "keys",
      "release",
      "whk_x",
      "--reason",
      "r",
      "--stack",
      "Oncegate",
      "--region",
      "eu-west-1",
    ]);
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: "oncegate: There is no terminal to confirm on: pass --yes to release the key.\n",
    });
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  test("refuses keys on a stack without --table and --scope: the consumer's table is not the gateway's", async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: "Oncegate",
          CreationTime: new Date(0),
          StackStatus: "CREATE_COMPLETE",
          Outputs: [
            ["EventsTableName", "t"],
            ["DeliveryQueueUrl", "https://q"],
            ["DeadLetterQueueUrl", "https://d"],
            ["DeadLetterQueueArn", "arn:aws:sqs:eu-west-1:1:d"],
          ].map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    const run = await cli(["keys", "show", "whk_x", "--stack", "Oncegate", "--region", "eu-west-1"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("oncegate: Which consumer's records? Pass --table <its IDEMPOTENCY_TABLE>.\n");
  });

  test("prints help and the version with exit code 0", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: oncegate \[options\] \[command\]/);
    expect((await cli(["--version"])).stdout).toBe("0.1.0\n");
  });
});
