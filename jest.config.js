/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  // One Azurite for the whole run; each test file starts its own emulator on a free port.
  globalSetup: "<rootDir>/test/support/globalSetup.ts",
  globalTeardown: "<rootDir>/test/support/globalTeardown.ts",
  // After every test, wait for the stacks it started (a timed-out test's work would otherwise outlive it; issue 19).
  setupFilesAfterEnv: ["<rootDir>/test/support/settle.ts"],
  // Engine tests run several CLI commands each: minutes on a loaded machine. Generous, because a test that times out
  // leaves work behind; TEST_TIMEOUT_MS sets it.
  testTimeout: Number(process.env.TEST_TIMEOUT_MS) || 600_000,
  // Engine tests start CLI and provider processes; two workers keep a 2-core machine responsive.
  maxWorkers: 2,
};
