/** Metrics: a workload's figures per phase and the single-run metrics, for any target. */
export * from "./workCounters.ts";
export * from "./metricsTopology.ts";
export * from "./runWorkload.ts";
export * from "./extraMetrics.ts";
export * from "./measureTarget.ts";
export * from "./scratchMemory.ts";
