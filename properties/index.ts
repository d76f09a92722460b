/** The properties: invariants, commands, sessions and the runner. The one entry others import. */
export * from "./engine/step.ts";
export * from "./engine/model.ts";
export * from "./engine/session.ts";
export * from "./engine/scope.ts";
export * from "./engine/copyIndex.ts";
export * from "./engine/target.ts";
export * from "./engine/violation.ts";
export * from "./invariants/index.ts";
export * from "./commands/index.ts";
export * from "./arbitraries/topology.ts";
export * from "./runner/checkTarget.ts";
export { TargetJobs, type JobSettings } from "./runner/targetJobs.ts";
export * from "./runner/interruption.ts";
export * from "./runner/replay.ts";
export * from "./runner/minimize.ts";
export * from "./runner/counterexampleFile.ts";
export * from "./targets.ts";
export * from "./runner/statistics.ts";
export * from "./runner/modelPaths.ts";
export * from "./runner/modelCheck.ts";
export * from "./runner/replayFile.ts";
export * from "./runner/shard.ts";
export * from "./runner/selection.ts";
export * from "./runner/verdict.ts";
export * from "./runner/killMatrix.ts";
export * from "./runner/linuxKillRow.ts";
export * from "./linux/index.ts";
export * from "./workloads/index.ts";
export * from "./metrics/index.ts";
export * from "./review/index.ts";
export * from "./diff/index.ts";
export * from "./report/index.ts";
export * from "./runner/enomemSweep.ts";
export * from "./depth/index.ts";
export * from "./runner/churnCheck.ts";
export * from "./runner/workloadCheck.ts";
export * from "./runner/workloadSteps.ts";
export * from "./runner/deepRound.ts";
export {
  checkInterleave,
  judgeMaterialized,
  INTERLEAVE_BOOT,
  type InterleaveCounterexample,
  type JudgedRun,
} from "./runner/interleaveCheck.ts";
export type { Materialized } from "./runner/interleaveScenario.ts";
export { threadsFromJson, type InterleaveFileJson } from "./runner/interleaveFile.ts";
export { formatTrace } from "./interleave/index.ts";
