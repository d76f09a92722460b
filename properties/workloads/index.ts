/** The workloads, by id: scripts of allocations and frees that the metrics run on a target. */
import { countersWorkload } from "./counters.ts";
import { gushchin2021Workload } from "./gushchin2021.ts";
import { kernelMixWorkload } from "./kernelMix.ts";
import { kiran2005Workload } from "./kiran2005.ts";
import type { Workload } from "./workload.ts";
import { zhou2017Workload } from "./zhou2017.ts";

export const WORKLOADS: readonly Workload[] = [
  kiran2005Workload,
  countersWorkload,
  zhou2017Workload,
  kernelMixWorkload,
  gushchin2021Workload,
];

/** The workload with this id, or undefined. */
export function findWorkload(id: string): Workload | undefined {
  return WORKLOADS.find((w) => w.id === id);
}

export * from "./workload.ts";
export * from "./churnRounds.ts";
export { SeededRandom } from "./seededRandom.ts";
export { freeOrder, ZHOU_ORDERS, ZHOU_SIZES, type ZhouOrder } from "./zhou2017.ts";
export { GROUP_SHAPES, GUSHCHIN_KEEP_EVERY } from "./gushchin2021.ts";
export {
  countersWorkload,
  gushchin2021Workload,
  kernelMixWorkload,
  kiran2005Workload,
  zhou2017Workload,
};
