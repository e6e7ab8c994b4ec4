/**
 * The JSON a template value will hold once deployed (a function's `ONCEGATE_CONFIG`, a dashboard body):
 * CloudFormation joins the JSON around deploy-time values, shown here as `<Ref LogicalId>` or
 * `<LogicalId.Attribute>` so the JSON can be parsed.
 */
export function joinedJson(value: unknown): Record<string, unknown> {
  if (typeof value === "string") return JSON.parse(value);
  const join = (value as { "Fn::Join"?: [string, unknown[]] })["Fn::Join"];
  if (join === undefined) throw new Error(`not a string or Fn::Join: ${JSON.stringify(value)}`);
  const [separator, parts] = join;
  return JSON.parse(parts.map(placeholderOf).join(separator));
}

function placeholderOf(part: unknown): string {
  if (typeof part === "string") return part;
  const { Ref: ref, "Fn::GetAtt": getAtt } = part as { Ref?: string; "Fn::GetAtt"?: [string, string] };
  if (ref !== undefined) return `<Ref ${ref}>`;
  if (getAtt !== undefined) return `<${getAtt[0]}.${getAtt[1]}>`;
  throw new Error(`unexpected token in joined JSON: ${JSON.stringify(part)}`);
}
