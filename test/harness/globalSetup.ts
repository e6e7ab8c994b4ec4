import { JavaMissingError, startDynamoDbLocal } from "../../local/dynamoDbLocal.ts";

// One in-memory DynamoDB Local per Jest run. Workers are forked after this runs, so the
// environment set here is what every test file's AWS SDK clients pick up.
export default async function globalSetup(): Promise<void> {
  let ddb: Awaited<ReturnType<typeof startDynamoDbLocal>>;
  try {
    ddb = await startDynamoDbLocal();
  } catch (error) {
    if (!(error instanceof JavaMissingError)) throw error;
    // One sentence, not a stack trace: the fix is an install, not a code change.
    console.error(`\noncegate: ${error.message}\n`);
    process.exit(1);
  }
  process.env.AWS_ENDPOINT_URL_DYNAMODB = ddb.endpoint;
  process.env.AWS_REGION = "us-east-1";
  process.env.AWS_ACCESS_KEY_ID = "local";
  process.env.AWS_SECRET_ACCESS_KEY = "local";
  (globalThis as { __oncegateDynamoDbLocal?: typeof ddb }).__oncegateDynamoDbLocal = ddb;
}
