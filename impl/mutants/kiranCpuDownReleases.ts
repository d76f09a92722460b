import { KiranAllocator, PAGES_PER_SLICE } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** A CPU_DEAD handler that gives back the dead CPU's slice pages in every block. */
class KiranCpuDownReleases extends KiranAllocator {
  protected override cpuDead(cpu: number): void {
    for (const block of this.blocks) {
      for (let j = 0; j < PAGES_PER_SLICE; j++) this.unmapSlot(block, cpu * PAGES_PER_SLICE + j);
    }
  }
}

export const kiranCpuDownReleases: MutantEntry = {
  id: "kiran-cpu-down-releases",
  revision: "kiran-2005-09",
  description:
    "cpu_down releases the offlined CPU's slice pages (CPU_DEAD frees memory of a possible CPU)",
  source:
    "Documentation/core-api/cpu_hotplug.rst (percpu memory of an offline CPU persists); percpu_counter's CPU_DEAD fold",
  expected: ["hotplug-transparency"],
  create: () => new KiranCpuDownReleases(),
};
