import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    allowOnly: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One temporary folder per run (TMPDIR), removed at the end: test/support/global-setup.ts.
    globalSetup: ["test/support/global-setup.ts"],
    // The standalone's background type check of the DAG folder (issue 13) costs 15-25 s of compiler
    // CPU per start; hundreds of e2e starts would pay it. Tests that check it set "on" themselves.
    env: { BATON_DAG_TYPECHECK: "off" },
  },
});
