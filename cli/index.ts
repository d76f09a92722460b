/** The pcpu-verify command line, for embedding and tests. */
export { main, buildProgram } from "./main.ts";
export { listCommand, listJson, type ListJson, type ListOptions } from "./listCommand.ts";
export {
  checkCommand,
  selectTargets,
  expectedReason,
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
export { EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL } from "./exitCodes.ts";
export * from "./format.ts";
