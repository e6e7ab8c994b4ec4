/**
 * A resolved CloudFormation value (`Stack.resolve(arn)`) as cdk-nag spells it in a finding's id, e.g.
 * `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:…]`: strings as they are, `{ Ref: X }` as `<X>`,
 * `{ "Fn::GetAtt": [a, b] }` as `<a.b>`, `Fn::Join` joined. An acknowledgement must name the finding exactly.
 * @throws Error on any other intrinsic (none of our patterns holds one)
 */
export function nagResource(resolved: unknown): string {
  if (typeof resolved === "string") return resolved;
  const node = resolved as { Ref?: string; "Fn::GetAtt"?: [string, string]; "Fn::Join"?: [string, unknown[]] };
  if (node.Ref !== undefined) return `<${node.Ref}>`;
  if (node["Fn::GetAtt"] !== undefined) return `<${node["Fn::GetAtt"].join(".")}>`;
  if (node["Fn::Join"] !== undefined) {
    const [separator, parts] = node["Fn::Join"];
    return parts.map(nagResource).join(separator);
  }
  throw new Error(`nagResource: cannot flatten ${JSON.stringify(resolved)}`);
}
