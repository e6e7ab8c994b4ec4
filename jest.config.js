// Native ESM Jest: @middy/core 7 and fauxqs ship ESM only. @swc/jest strips types without
// type-checking (that is `npm run typecheck`'s job), and keeps the suite fast.
const swc = [
  "@swc/jest",
  {
    jsc: { parser: { syntax: "typescript" }, target: "es2024" },
    module: { type: "es6" },
    sourceMaps: "inline",
  },
];

export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  transform: { "^.+\\.ts$": swc },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  globalSetup: "<rootDir>/test/harness/globalSetup.ts",
  testSequencer: "<rootDir>/test/harness/testSequencer.js",
  globalTeardown: "<rootDir>/test/harness/globalTeardown.ts",
  testTimeout: 60_000,
};
