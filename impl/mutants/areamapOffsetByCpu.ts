import { AreamapAllocator, UNIT_SIZE } from "../revisions/areamap/areamapAllocator.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * __per_cpu_offset[cpu] counts units by the CPU's rank among the online CPUs where 2.6.30
 * counts them by CPU number (cpu x unit_size, units for every possible CPU): with a possible
 * CPU offline below it, an online CPU gets the unit of a lower CPU, and the two share a copy.
 *
 *   possible 0 1 2, online 0 2:  units | cpu 0 | cpu 1 | cpu 2 |
 *   per_cpu_ptr(p, 2) = p + 1 x unit_size = cpu 1's copy, shared with cpu 1
 */
class AreamapOffsetByCpu extends AreamapAllocator {
  protected override perCpuOffset(cpu: number): number {
    const rank = this.machine.cpus.online.indexOf(cpu);
    return (rank < 0 ? cpu : rank) * UNIT_SIZE;
  }
}

export const areamapOffsetByCpu: MutantEntry = {
  id: "areamap-offset-by-cpu",
  revision: "areamap-2009",
  description:
    "__per_cpu_offset[cpu] is the CPU's rank among the online CPUs x unit_size instead of cpu x unit_size: with a possible CPU offline below it, an online CPU gets a lower CPU's copy (caught by no-overlap)",
  source:
    "arch/x86/kernel/setup_percpu.c 2.6.30 setup_per_cpu_areas: 'for_each_possible_cpu(cpu) { per_cpu_offset(cpu) = delta + cpu * pcpu_unit_size; ...}' (units for every possible CPU, by CPU number); percpu_counter_sum_all (2022), an online-for-possible confusion (SOURCES.md)",
  expected: ["no-overlap"],
  create: () => new AreamapOffsetByCpu(),
};
