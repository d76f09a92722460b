// Stryker's configuration: the mutation score of the revisions' own tests (npm run mutation --
// <revision>, scripts/mutation.ts, which gives `mutate`). Not part of npm test or .ci/run: one
// revision takes minutes to an hour. Equivalent survivors are explained in stryker-equivalent.md.
// The target's name (scripts/mutation.ts sets it) names its report and incremental file.
const target = process.env.PCPU_MUTATION_TARGET ?? "mutation";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.stryker.config.ts", related: true },
  // Per-test coverage: a mutant runs only the tests that reach it. It works because no revision
  // code runs at import (the registries are lazy): a mutant reached at import would be "static"
  // and rerun every test.
  coverageAnalysis: "perTest",
  // The dry run is the related tests once, at the lowest priority on a shared machine.
  dryRunTimeoutMinutes: 90,
  // One test process: the machine is shared (run it under nice, as the script does).
  concurrency: 1,
  // A loaded machine makes runs slower, not wrong: a mutant is a timeout only well past its
  // dry-run time.
  timeoutFactor: 3,
  timeoutMS: 20_000,
  // Sandboxes, reports and the incremental file stay outside the committed tree (.gitignore).
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  // event-recorder: each tested mutant is a file under .stryker/events/<target>/ as it is done.
  reporters: ["html", "clear-text", "progress", "json", "event-recorder"],
  htmlReporter: { fileName: `.stryker/reports/${target}.html` },
  jsonReporter: { fileName: `.stryker/reports/${target}.json` },
  incrementalFile: `.stryker/${target}.incremental.json`,
  eventReporter: { baseDir: `.stryker/events/${target}` },
  ignorePatterns: [".stryker", "coverage", "scratch", "pcpu-verify-out"],
  thresholds: { high: 95, low: 90, break: null },
};
