/**
 * The Lambda sizes the cost model bills at: those the CDK app configures (infra/constructs/webhookGateway.ts and
 * infra/constructs/handlerFunction.ts when this was written: Node.js 24 on arm64, 512 MB for the intake and
 * delivery functions, 256 MB for the sweeper). Change both together.
 */
export const LAMBDA_SIZING = {
  architecture: "arm64",
  intakeMemoryMb: 512,
  deliveryMemoryMb: 512,
  sweeperMemoryMb: 256,
} as const;
