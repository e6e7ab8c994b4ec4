import type { OncegateSettings } from "./oncegateStack.ts";
import { DEMO_PROVIDER } from "./validateOncegateSettings.ts";

/**
 * The demo (`cdk deploy -c oncegate:demo=true`): a Standard Webhooks provider named `demo`, whose events go to the
 * demo consumer, a Lambda behind a public Function URL. `infra/scripts/sendDemoWebhook.ts` signs test events with
 * the provider's secret. It is a look at the whole path, not a production gateway: it has no real provider, so it
 * needs no alarm destination (set `alarmEmail` here to get the alarms anyway).
 */
export const demoSettings: OncegateSettings = {
  config: {
    providers: { [DEMO_PROVIDER]: { scheme: "standard", secrets: [{ create: "demo-provider" }] } },
    destinations: [],
  },
  demoConsumer: true,
};
