import type { OncegateSettings } from "./oncegateStack.ts";

/**
 * This deployment's configuration, read by `infra/app.ts` and checked at synth time by the Lambdas' own parser
 * (a mistake fails `cdk synth` with the field's name). It is the Lambdas' `GatewayConfig` (see
 * `lambdas/shared/gatewayConfig.ts`) plus the construct's options (`WebhookGatewayProps`).
 *
 * Secrets are never written here. `{ create: "name" }` makes the stack create a Secrets Manager secret holding a
 * random value until you put yours (the stack outputs its ARN); `{ secretArn }` uses a secret you already have.
 */
export const oncegateSettings: OncegateSettings = {
  config: {
    providers: {
      // A Standard Webhooks sender: `infra/scripts/sendDemoWebhook.ts` signs test events with its secret.
      demo: { scheme: "standard", secrets: [{ create: "demo-provider" }] },
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
  // Adds the example consumer as a destination of every provider: a fresh deploy shows the whole path.
  // Turn it off once your own destinations are in place.
  demoConsumer: true,
  // alarmEmail: "oncall@example.com",
};
