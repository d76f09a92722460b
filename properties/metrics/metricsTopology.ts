/**
 * The machines metrics run on: a fixed possible set, NR_CPUS 8 or 512.
 *
 *   NR_CPUS 8:    CPU 0 1 2 3 | 4 5 6 7        possible = present = online = 0..3
 *                 node 0 1 0 1 | 0 1 0 1       2 NUMA nodes, cpu_to_node(c) = c mod 2
 *   NR_CPUS 512:  the same four CPUs possible; 508 impossible CPU numbers
 *
 * The workload runs get a large vmalloc area (16 GiB) so that they measure the allocator, not
 * the limit, and 2 GiB of memory per node; the vmalloc-exhaustion metric boots with the 2005 thread's 128 MiB (32-bit x86).
 */
import type { BootConfig } from "../../impl/index.ts";

export const METRICS_POSSIBLE = [0, 1, 2, 3] as const;
export const METRICS_NODES = 2;
/** The 32-bit x86 vmalloc area of 2005: "it does consume vmalloc space". */
export const VMALLOC_2005_BYTES = 128 * 2 ** 20;
/** Large enough that no workload here runs out of address space. */
export const WORKLOAD_VMALLOC_BYTES = 16 * 2 ** 30;
/** 2 GiB per node (half low, half high): room for the 20,000-object growth runs. */
export const METRICS_PAGES_PER_NODE = 2 ** 19;

/** A boot configuration with the metrics' possible set at this NR_CPUS. */
export function metricsBootConfig(
  nrCpus: number,
  vmallocBytes = WORKLOAD_VMALLOC_BYTES,
): BootConfig {
  if (!Number.isSafeInteger(nrCpus) || nrCpus < METRICS_POSSIBLE.length) {
    throw new Error(`nrCpus ${nrCpus}: expected at least ${METRICS_POSSIBLE.length}`);
  }
  return {
    nrCpus,
    possible: [...METRICS_POSSIBLE],
    present: [...METRICS_POSSIBLE],
    online: [...METRICS_POSSIBLE],
    cpuToNode: Array.from({ length: nrCpus }, (_, c) => c % METRICS_NODES),
    nrNodes: METRICS_NODES,
    pageSize: 4096,
    pagesPerNode: METRICS_PAGES_PER_NODE,
    vmallocBytes,
  };
}
