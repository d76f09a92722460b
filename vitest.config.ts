import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**"],
    // Property runs are deterministic (fixed seeds); no wall-clock assertions anywhere.
    testTimeout: 60_000,
    // Both cores: the suite is CPU-bound (vitest's default leaves one core idle on two).
    maxWorkers: 2,
  },
});
