import { defineConfig } from "vitest/config";

// Browser tests (npm run test:e2e): Chromium against the built site in dist/, served on 127.0.0.1 by the global
// setup. One file at a time (the machine may have two cores), generous limits, no timing assertions.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // A failure in a browser test is a finding, not noise: no retries.
    retry: 0,
  },
});
