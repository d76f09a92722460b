import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    // Stryker's sandboxes (npm run mutation) hold a copy of every test.
    exclude: ["node_modules/**", ".stryker-tmp/**"],
    // Property runs are deterministic (fixed seeds); no wall-clock assertions anywhere. The
    // timeout only catches a hang: the model's paths and the mutants' checks take 30 to 60 s
    // each with both cores busy, and more on a machine shared with other jobs.
    testTimeout: 300_000,
    // Set-up hooks build the harnesses (make, cc): a hang guard too, never a speed limit.
    hookTimeout: 300_000,
    // Both cores: the suite is CPU-bound (vitest's default leaves one core idle on two).
    maxWorkers: 2,
  },
});
