// Sends one signed test event to a deployed gateway, twice: the first answer is 202 (accepted), the second 200
// (a duplicate). Usage, with the secret in the environment rather than on the command line:
//   ONCEGATE_DEMO_SECRET=… npx tsx infra/scripts/sendDemoWebhook.ts <IntakeUrl output> [provider]
import { demoWebhook } from "./demoWebhook.ts";

const [intakeUrl, provider] = process.argv.slice(2);
const secret = process.env.ONCEGATE_DEMO_SECRET;
if (intakeUrl === undefined || secret === undefined || secret === "") {
  console.error(
    "usage: ONCEGATE_DEMO_SECRET=<secret value> npx tsx infra/scripts/sendDemoWebhook.ts <IntakeUrl> [provider]",
  );
  process.exit(2);
}
const request = demoWebhook({ intakeUrl, secret, provider });
for (const attempt of ["first", "again"]) {
  const response = await fetch(request.url, request.init);
  console.log(`${attempt}: ${response.status} ${await response.text()}`);
}
