import { AreamapAllocator, UNIT_SIZE } from "../revisions/areamap/areamapAllocator.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * The per-CPU offset is computed from the CPU number (cpu x unit_size) where the CPU's unit
 * offset is meant, as if units followed CPU numbers. Units are grouped by node, so a CPU
 * whose group is not first reaches another CPU's unit (or past the chunk):
 *
 *   possible 0 1 2 on nodes 0 1 0:  units | cpu 0 | cpu 2 | cpu 1 |
 *   per_cpu_ptr(p, 1) = p + 1 x unit_size = cpu 2's copy, on node 0, shared with cpu 2
 */
class AreamapOffsetByCpu extends AreamapAllocator {
  protected override perCpuOffset(cpu: number): number {
    return cpu * UNIT_SIZE;
  }
}

export const areamapOffsetByCpu: MutantEntry = {
  id: "areamap-offset-by-cpu",
  revision: "areamap-2009",
  description:
    "__per_cpu_offset[cpu] is cpu x unit_size instead of pcpu_unit_offsets[cpu]: with units grouped by node, a CPU of a later group gets another CPU's copy on another node (caught by no-overlap and node-locality)",
  source:
    "percpu: fix chunk range calculation (a855b84c, 2011): the first and last units were assumed to be the lowest and highest, but 'groups in a chunk can have arbitrary positive or negative offsets', so an address of another CPU was misclassified",
  expected: ["no-overlap", "node-locality"],
  create: () => new AreamapOffsetByCpu(),
};
