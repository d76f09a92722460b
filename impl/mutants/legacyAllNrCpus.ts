import { LegacyAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** Allocates (and frees) a copy for every CPU below NR_CPUS, possible or not. */
class LegacyAllNrCpus extends LegacyAllocator {
  protected override cpusToFill(): number[] {
    return Array.from({ length: this.machine.cpus.nrCpus }, (_, cpu) => cpu);
  }
}

export const legacyAllNrCpus: MutantEntry = {
  id: "legacy-all-nr-cpus",
  revision: "legacy-2.6.10",
  description:
    "the copy loop drops its cpu_possible() test: kmalloc_node for every CPU below NR_CPUS",
  source: 'LKML Jan 2005, Morton: "Isn\'t this equivalent to for_each_cpu()?" (the NR_CPUS loops)',
  expected: ["possible-only"],
  create: () => new LegacyAllNrCpus(),
};
