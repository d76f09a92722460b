/**
 * The test configuration under Stryker (stryker.config.mjs): the suite's own, narrowed to the
 * tests next to the revisions' and the machine's code (impl/revisions/, impl/machine/), plus a
 * setup file that fixes fast-check's global seed, so that every mutant meets the same runs.
 * The score is what those tests catch: the property checks (properties/, cli/) reach every
 * revision too, but each mutant would then rerun minutes of checks, and a revision's own tests
 * are where a change of its behaviour should be caught.
 */
import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

// Replaced, not merged: vitest's mergeConfig would append to the suite's `include`.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["impl/revisions/**/*.test.ts", "impl/machine/**/*.test.ts"],
    setupFiles: ["scripts/mutation/fixedSeed.ts"],
  },
});
