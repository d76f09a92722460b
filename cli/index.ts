/** The pcpu-verify command line, for embedding and tests. */
export { main, buildProgram } from "./main.ts";
export { listCommand, listJson, type ListJson, type ListOptions } from "./listCommand.ts";
export {
  checkCommand,
  DEFAULT_SEED,
  DEFAULT_RUNS,
  DEFAULT_MAX_COMMANDS,
  DEFAULT_OUT,
  type CheckOptions,
  type CheckJson,
  type CheckResultJson,
} from "./checkCommand.ts";
/** The counterexample file format lives with the runner; kept here for embedders. */
export { counterexampleFileName } from "../properties/index.ts";
// What a check selects and what its results mean live with the runner.
export { selectTargets, expectedReason } from "../properties/index.ts";
export {
  replayCommand,
  snapshot,
  SHOWN_CPUS,
  type ReplayOptions,
  type ReplayJson,
  type ReplayStepJson,
  type StateJson,
  type LiveObjectJson,
} from "./replayCommand.ts";
export { processIo, bufferedIo, type CliIo, type BufferedIo } from "./cliIo.ts";
export { UsageError } from "./usageError.ts";
export {
  EXIT_OK,
  EXIT_FAIL,
  EXIT_USAGE,
  EXIT_HARNESS,
  EXIT_INCOMPLETE,
  EXIT_INTERNAL,
  exitForSignal,
} from "./exitCodes.ts";
export * from "./format.ts";
