// Runs before every `npm test`: prints which Node runs the suite (the project pins Node 24 through
// the `node` devDependency, whatever the system Node is) and makes the folder for Jest's JSON report.
import { mkdirSync } from "node:fs";

mkdirSync(new URL("../../test-results/", import.meta.url), { recursive: true });
console.log(`oncegate: tests running on Node ${process.version}`);
