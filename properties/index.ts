/** The properties: invariants, commands, sessions and the runner. The one entry others import. */
export * from "./engine/step.ts";
export * from "./engine/model.ts";
export * from "./engine/session.ts";
export * from "./engine/target.ts";
export * from "./engine/violation.ts";
export * from "./invariants/index.ts";
export * from "./commands/index.ts";
export * from "./arbitraries/topology.ts";
export * from "./runner/checkTarget.ts";
export * from "./runner/replay.ts";
export * from "./runner/minimize.ts";
export * from "./runner/counterexampleFile.ts";
export * from "./targets.ts";
export * from "./runner/statistics.ts";
export * from "./runner/modelPaths.ts";
export * from "./runner/modelCheck.ts";
export * from "./runner/replayFile.ts";
