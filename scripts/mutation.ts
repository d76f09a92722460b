/**
 * npm run mutation -- <target> [STRYKER OPTIONS]: Stryker's mutation score of the tests on one
 * revision's own code (or `machine`), with stryker.config.mjs. The HTML report is
 * .stryker/reports/<target>.html and the incremental file .stryker/<target>.incremental.json
 * (a second run retests only the mutants whose code or tests changed); both are ignored by git.
 * Runs at the lowest priority with one test process: it takes minutes to an hour.
 */
import { spawnSync } from "node:child_process";
import { mutateGlobs } from "./mutation/mutationTargets.ts";

const [target, ...rest] = process.argv.slice(2);
let globs: readonly string[];
try {
  globs = mutateGlobs(target);
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const args = [
  "-n",
  "19",
  "npx",
  "stryker",
  "run",
  "stryker.config.mjs",
  "--mutate",
  globs.join(","),
  "--incremental",
  ...rest,
];
const run = spawnSync("nice", args, {
  stdio: "inherit",
  env: { ...process.env, PCPU_MUTATION_TARGET: target },
});
process.exit(run.status ?? 1);
