/**
 * Depth: how deep a check's runs go (chunks held, live objects, pages, how far into a unit,
 * full, emptied and released chunks, depopulations, slots, possible CPUs, ENOMEM by depth),
 * measured from the session's steps, and the depth goals of each kind of target.
 */
export { DepthMeter, depthSummary, type DepthJson } from "./depthMeter.ts";
export { DEPTH_GOALS, depthGoals, type DepthGoal, type DepthKind } from "./depthGoals.ts";
export { depthLines } from "./depthText.ts";
export {
  RunDepth,
  slotsOf,
  type DepthObject,
  type DepthObservation,
  type DepthSetting,
  type RunFigures,
} from "./runDepth.ts";
export { vmRanges, unitStride, MIN_UNIT_BYTES } from "./vmRanges.ts";
