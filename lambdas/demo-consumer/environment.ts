/** Environment variables of the demo consumer, set by the CDK app (`infra/constructs/demoConsumer.ts`). */
export const DEMO_CONSUMER_ENV = {
  /** ARN of the Standard Webhooks secret the gateway signs this destination's deliveries with. */
  signingSecretArn: "ONCEGATE_DEMO_SIGNING_SECRET_ARN",
  /** The SDK's idempotency table (an `IdempotencyTable`). */
  idempotencyTable: "ONCEGATE_DEMO_IDEMPOTENCY_TABLE",
} as const;
