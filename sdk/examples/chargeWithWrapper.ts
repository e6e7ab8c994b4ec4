// README example: the idempotent() wrapper, WebhookGate's ergonomics.
import { idempotent } from "@oncegate/sdk";

/** Stands for any side effect outside DynamoDB (an email, a call to a payment API). */
export const receipts: string[] = [];
async function sendReceipt(key: string): Promise<void> {
  receipts.push(key);
}

export const handler = idempotent(
  async ({ event, db, key }) => {
    const { amount } = event as { amount: number };
    await db.put({ TableName: process.env.CHARGES_TABLE ?? "charges", Item: { id: key, amount } }); // commits with completion
    await sendReceipt(key); // runs at most once
    return { charged: amount };
  },
  { tableName: process.env.IDEMPOTENCY_TABLE ?? "" },
);
