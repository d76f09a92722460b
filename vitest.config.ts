import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    // Stryker's sandboxes (npm run mutation) hold a copy of every test.
    exclude: ["node_modules/**", ".stryker-tmp/**"],
    // Property runs are deterministic (fixed seeds); no wall-clock assertions anywhere. The
    // timeout only catches a hang, never a speed limit: the heaviest tests (incremental.test's
    // two checks of a revision) take about 100 s on two idle cores and 330 to 440 s at a load
    // of 9 (two busy loops and other sessions beside the suite), where 300 s failed them.
    testTimeout: 900_000,
    // Set-up hooks build the harnesses (make, cc): a hang guard too, never a speed limit.
    hookTimeout: 300_000,
    // Both cores: the suite is CPU-bound (vitest's default leaves one core idle on two).
    maxWorkers: 2,
  },
});
