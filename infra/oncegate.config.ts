import type { OncegateSettings } from "./oncegateStack.ts";

/**
 * This deployment's configuration, read by `infra/app.ts` and checked at synth time (a mistake fails `cdk synth`
 * with the setting's or field's name). It is the Lambdas' `GatewayConfig` (see `lambdas/shared/gatewayConfig.ts`)
 * plus the construct's options (`WebhookGatewayProps`) and the app's (`OncegateSettings`). `docs/deploy.md` lists
 * every required setting; until they are filled in, `cdk synth` refuses this file and says which is missing.
 * To look at the whole path first, deploy the demo instead: `npx cdk deploy -c oncegate:demo=true`.
 *
 * Secrets are never written here. `{ create: "name" }` makes the stack create a Secrets Manager secret holding a
 * random value until you put yours (the stack outputs its ARN); `{ secretArn }` uses a secret you already have
 * (add `kmsKeyArn` when it is encrypted with a customer managed key).
 */
export const oncegateSettings: OncegateSettings = {
  config: {
    providers: {
      // stripe: { scheme: "stripe", secrets: [{ create: "stripe" }] },
      // github: { scheme: "github", secrets: [{ create: "github" }] },
    },
    destinations: [
      // {
      //   id: "orders",
      //   url: "https://orders.example.com/webhooks",
      //   providers: ["stripe"],
      //   signingSecrets: [{ create: "orders-signing" }],
      // },
    ],
  },
  // Required: where the alarms go (or alarmTopicArn, an existing SNS topic).
  // alarmEmail: "oncall@example.com",
  // Recommended: providers keep their URL if the API is ever replaced (docs/deploy.md).
  // domainName: "hooks.example.com",
  // certificateArn: "arn:aws:acm:<region>:<account>:certificate/<id>",
  // X-Ray traces of the three functions: cold starts and slow invocations at a glance.
  tracing: true,
};
