import type { DynamoDbLocal } from "../../local/dynamoDbLocal.ts";

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __oncegateDynamoDbLocal?: DynamoDbLocal }).__oncegateDynamoDbLocal?.stop();
}
