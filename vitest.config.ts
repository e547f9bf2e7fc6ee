import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "node_modules/**"],
    // Sandboxed grading is CPU-bound; generous limits keep a slow shared 2-core machine from flaking.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
