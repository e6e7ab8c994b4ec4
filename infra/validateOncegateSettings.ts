import { InvalidConfigurationError } from "../lambdas/shared/errors.ts";
import { WEBHOOK_GATEWAY_PROP_NAMES } from "./constructs/webhookGatewayProps.ts";
import type { OncegateSettings } from "./oncegateStack.ts";

/** The provider the demo configuration posts to (`infra/demo.config.ts`); any other provider is a real one. */
export const DEMO_PROVIDER = "demo";

/** Every setting of `oncegate.config.ts`: the gateway's props plus the app's own. A typo must not become a default. */
const SETTING_NAMES = [
  ...WEBHOOK_GATEWAY_PROP_NAMES,
  "demoConsumer",
  "demoConsumerWithRealProviders",
  "alarmEmail",
  "alarmTopicArn",
  "terminationProtection",
];

// Deliberately loose: SNS validates the address, this catches a name or a missing domain.
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/**
 * Checks a deployment's app-level settings at synth time, before anything is built:
 * - no unknown setting;
 * - the demo consumer (a public Function URL that receives every provider's events) only with the demo provider,
 *   unless `demoConsumerWithRealProviders: true` says so;
 * - a deployment other than the demo must send its alarms somewhere: `alarmEmail` or `alarmTopicArn`.
 * @throws {@link InvalidConfigurationError} naming the setting
 */
export function validateOncegateSettings(settings: OncegateSettings): void {
  for (const name of Object.keys(settings)) {
    if (!SETTING_NAMES.includes(name)) {
      throw new InvalidConfigurationError(name, `unknown setting (expected one of ${SETTING_NAMES.join(", ")})`);
    }
  }
  const realProviders = Object.keys(settings.config.providers).filter((name) => name !== DEMO_PROVIDER);
  if (settings.demoConsumer === true && realProviders.length > 0 && settings.demoConsumerWithRealProviders !== true) {
    throw new InvalidConfigurationError(
      "demoConsumer",
      `deploys a public Function URL (no IAM auth) as a destination of every provider, here also of ${realProviders.join(", ")}: ` +
        "turn it off, or confirm with demoConsumerWithRealProviders: true",
    );
  }
  checkAlarmDestination(settings, settings.demoConsumer === true && realProviders.length === 0);
}

function checkAlarmDestination(settings: OncegateSettings, isDemo: boolean): void {
  const { alarmEmail, alarmTopicArn } = settings;
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
    throw new InvalidConfigurationError("alarmEmail", `expected an email address, got ${JSON.stringify(alarmEmail)}`);
  }
  if (alarmTopicArn !== undefined) {
    if (!TOPIC_ARN.test(alarmTopicArn)) {
      throw new InvalidConfigurationError(
        "alarmTopicArn",
        `expected an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got ${JSON.stringify(alarmTopicArn)}`,
      );
    }
    if (settings.alarmTopic !== undefined) {
      throw new InvalidConfigurationError("alarmTopicArn", "give alarmTopicArn or alarmTopic, not both");
    }
  }
  if (!isDemo && alarmEmail === undefined && alarmTopicArn === undefined && settings.alarmTopic === undefined) {
    throw new InvalidConfigurationError(
      "alarmEmail",
      "a deployment other than the demo must send its alarms to someone: set alarmEmail (your on-call address) " +
        "or alarmTopicArn (an existing SNS topic whose policy lets cloudwatch.amazonaws.com publish)",
    );
  }
}
