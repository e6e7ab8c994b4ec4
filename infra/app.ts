import { App } from "aws-cdk-lib";
import { DEMO_CONTEXT, settingsForContext } from "./appSettings.ts";
import { CONFIG_FILE_CONTEXT } from "./gatewayConfigFile.ts";
import { OncegateStack } from "./oncegateStack.ts";

/** Context key naming the stack, so one account can hold several gateways: `cdk deploy -c oncegate:stackName=…`. */
const STACK_NAME_CONTEXT = "oncegate:stackName";

// Environment-agnostic (no account or region lookups): `cdk synth` needs no credentials and no network, and
// `cdk deploy` targets the account and region of your AWS profile.
const app = new App();
const stackName = app.node.tryGetContext(STACK_NAME_CONTEXT) ?? "Oncegate";
const settings = settingsForContext(app.node.tryGetContext(DEMO_CONTEXT), app.node.tryGetContext(CONFIG_FILE_CONTEXT));
new OncegateStack(app, stackName, settings);
app.synth();
