// An Express consumer in a process of its own, for tests that kill it mid-handler: `node test/support/
// expressConsumerProcess.ts`, the table from ONCEGATE_IDEMPOTENCY_TABLE. It prints its port, then serves
// POST /webhooks: a body `{"crash":true}` kills the process (SIGKILL, as the OOM killer or a container stop past its
// grace period would) after the claim, mid-handler; any other answers 201.
import type { AddressInfo } from "node:net";
import express from "express";
import { idempotent, keepRawBody } from "../../sdk/express.ts";

const app = express();
app.post(
  "/webhooks",
  express.json({ verify: keepRawBody }),
  idempotent(async ({ res, event }) => {
    if ((event as { crash?: boolean }).crash) process.kill(process.pid, "SIGKILL");
    res.status(201).json({ ran: true });
  }),
);
const server = app.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
