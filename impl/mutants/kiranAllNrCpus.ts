import { KiranJanuaryAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * valloc_percpu's slice loop runs `for (i = 0; i < NR_CPUS; i++)` without its cpu_possible(i)
 * test: every CPU below NR_CPUS gets its two slice pages, from cpu_to_node(i).
 *
 *   NR_CPUS 8, CPUs 0 and 1 possible:
 *   | cpu0 | cpu1 | cpu2 | cpu3 | ... | cpu7 | mgmt |   every slice populated
 *                  ^ pages for CPUs that can never run
 */
class KiranAllNrCpus extends KiranJanuaryAllocator {
  protected override sliceCpus(): readonly number[] {
    const nrCpus = this.machine.cpus.nrCpus;
    this.work.loopIterations += nrCpus;
    return Array.from({ length: nrCpus }, (_, cpu) => cpu);
  }
}

export const kiranAllNrCpus: MutantEntry = {
  id: "kiran-all-nr-cpus",
  revision: "kiran-2005-01",
  description:
    "the block's slice loop over NR_CPUS drops its cpu_possible() test: pages for every CPU below NR_CPUS",
  source:
    "LKML Jan 2005, Morton on the January patch's NR_CPUS loops: \"Isn't this equivalent to for_each_cpu()?\"",
  expected: ["possible-only"],
  create: () => new KiranAllNrCpus(),
};
