import type { Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import type { IRole } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup } from "aws-cdk-lib/aws-logs";

/** One allowed action on one resource, the resource as CloudFormation has it (`{ "Fn::GetAtt": … }`, `{ Ref }`…). */
export interface GrantEntry {
  action: string;
  resource: unknown;
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** Every action the role's policies allow, one entry per action × resource, sorted: compare with `toEqual`. */
export function grantsOf(template: Template, stack: Stack, role: IRole): GrantEntry[] {
  const roleRef = stack.resolve(role.roleName);
  const policies = Object.values(template.findResources("AWS::IAM::Policy")).filter((policy) =>
    (policy.Properties.Roles as unknown[]).some((ref) => JSON.stringify(ref) === JSON.stringify(roleRef)),
  );
  const entries: GrantEntry[] = [];
  for (const policy of policies) {
    for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
      if (statement.Effect !== "Allow") continue;
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      for (const action of [statement.Action].flat()) {
        for (const resource of resources) entries.push({ action, resource });
      }
    }
  }
  return sortGrants(entries);
}

/** `actions` on each of `resources` (CDK tokens, resolved in `stack`), sorted like {@link grantsOf}. */
export function grants(stack: Stack, actions: readonly string[], resources: string[]): GrantEntry[] {
  return sortGrants(
    actions.flatMap((action) => resources.map((resource) => ({ action, resource: stack.resolve(resource) }))),
  );
}

export function sortGrants(entries: GrantEntry[]): GrantEntry[] {
  const key = (entry: GrantEntry) => `${entry.action} ${JSON.stringify(entry.resource)}`;
  return [...entries].sort((a, b) => key(a).localeCompare(key(b)));
}

/** A function's own log group (its sibling in `HandlerFunction`), and what every role may do with it. */
export function logWriteGrants(stack: Stack, fn: IFunction): GrantEntry[] {
  const logGroup = fn.node.scope?.node.tryFindChild("Logs");
  if (!(logGroup instanceof LogGroup)) throw new Error(`${fn.node.path} has no log group beside it`);
  return grants(stack, ["logs:CreateLogStream", "logs:PutLogEvents"], [logGroup.logGroupArn]);
}
