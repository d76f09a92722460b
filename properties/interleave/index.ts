/**
 * Interleavings: operations written as atomic sections (generators that yield where the kernel
 * drops a lock, sleeps or schedules work), threads of them run under a schedule that fast-check
 * draws and shrinks, with the locks enforced, and the checks made on such runs: deadlock,
 * linearizability, lock order across runs, and data races. Revision-independent: a revision's
 * operation enters by being written as sections and drained on the sequential path.
 */
// The vocabulary of sections (locks, boundaries, drain), which the revisions' code uses too.
export * from "../../impl/sections/index.ts";
export { formatTrace, runInterleaved, show } from "./run.ts";
export type {
  CallRecord,
  LockEdge,
  PointInvariant,
  Run,
  RunOptions,
  System,
  ThreadSpec,
  TraceLine,
} from "./run.ts";
export { checkLinearizable } from "./linearizability.ts";
export type { Linearization, SequentialSpec } from "./linearizability.ts";
export { LockOrder } from "./lockOrder.ts";
export { findRaces } from "./races.ts";
export type { Access, SharedField } from "./races.ts";
export { checkInterleavings, judgeSchedule, scheduleArbitrary } from "./check.ts";
export type { InterleaveCheck, InterleaveCounterexample, InterleaveResult } from "./check.ts";
export type { Finding, InterleaveInvariant } from "./finding.ts";
