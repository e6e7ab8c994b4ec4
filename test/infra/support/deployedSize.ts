import type { Template } from "aws-cdk-lib/assertions";

/**
 * Stand-ins for what CloudFormation puts in place of each reference, at least as long as the real values (the
 * longest partition, region and URL suffix), so that a size measured here is an upper bound of the deployed one.
 */
const PSEUDO_PARAMETERS: Record<string, string> = {
  "AWS::Partition": "aws-us-gov",
  "AWS::Region": "ap-southeast-2",
  "AWS::AccountId": "123456789012",
  "AWS::URLSuffix": "amazonaws.com.cn",
  "AWS::StackId": `arn:aws-us-gov:cloudformation:ap-southeast-2:123456789012:stack/${"S".repeat(128)}/${"u".repeat(36)}`,
};
// A resource's Ref or attribute we know nothing more about: a name or an ARN, generously.
const OTHER_REFERENCE = "r".repeat(128);

/** `value` as CloudFormation will hand it over, its references replaced by stand-ins (see above). */
export function deployedValue(template: Template, value: unknown): unknown {
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== "object") return node;
    const { Ref: ref, "Fn::GetAtt": getAtt, "Fn::Join": join } = node as Record<string, unknown>;
    if (typeof ref === "string") return PSEUDO_PARAMETERS[ref] ?? referenceOf(resources[ref]);
    if (Array.isArray(getAtt)) return attributeOf(resources[getAtt[0] as string], getAtt[1] as string);
    if (Array.isArray(join)) return (join[1] as unknown[]).map((part) => String(visit(part))).join(join[0] as string);
    return Object.fromEntries(Object.entries(node).map(([key, inner]) => [key, visit(inner)]));
  };
  return visit(value);
}

function referenceOf(resource: { Type: string } | undefined): string {
  // An event source mapping's Ref is its UUID.
  return resource?.Type === "AWS::Lambda::EventSourceMapping" ? "u".repeat(36) : OTHER_REFERENCE;
}

function attributeOf(resource: { Type: string; Properties?: Record<string, unknown> } | undefined, attribute: string) {
  const queueName = resource?.Properties?.QueueName;
  if (resource?.Type === "AWS::SQS::Queue" && attribute === "Arn" && typeof queueName === "string") {
    return `arn:${PSEUDO_PARAMETERS["AWS::Partition"]}:sqs:${PSEUDO_PARAMETERS["AWS::Region"]}:123456789012:${queueName}`;
  }
  return OTHER_REFERENCE;
}

/** A policy document's size as IAM counts it: its JSON without whitespace, references replaced by stand-ins. */
export function deployedPolicySize(template: Template, policyDocument: unknown): number {
  return JSON.stringify(deployedValue(template, policyDocument)).length;
}
