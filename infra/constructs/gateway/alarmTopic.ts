import { ArnFormat, Stack } from "aws-cdk-lib";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Topic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";

/** What CloudWatch alarm actions call on the topic. */
export const ALARM_PUBLISH_ACTIONS = ["sns:Publish"];

/**
 * The SNS topic the gateway's alarms notify. `enforceSSL` writes a topic policy, and a topic policy replaces SNS's
 * default one: without an explicit statement allowing `cloudwatch.amazonaws.com` to publish, every alarm action
 * fails ("is not authorized to perform: SNS:Publish", AWS Knowledge Center), so that statement is added here,
 * limited to alarms of this account and region (`aws:SourceAccount`, `aws:SourceArn`).
 *
 * Alarm notifications carry alarm names and states only, so the topic is not KMS-encrypted: CloudWatch cannot
 * publish to a topic encrypted with the AWS managed key, and a customer managed key would cost more than it hides.
 */
export function newAlarmTopic(scope: Construct, id: string): Topic {
  const topic = new Topic(scope, id, { displayName: "Oncegate alarms", enforceSSL: true });
  const stack = Stack.of(scope);
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: "AllowCloudWatchAlarmsToPublish",
      principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ALARM_PUBLISH_ACTIONS,
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { "aws:SourceAccount": stack.account },
        ArnLike: {
          "aws:SourceArn": stack.formatArn({
            service: "cloudwatch",
            resource: "alarm",
            resourceName: "*",
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  return topic;
}
