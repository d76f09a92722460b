import { MachineError } from "../machine/index.ts";
import { KiranAllocator, PCPU_BLKSIZE } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** Zeroes the new object only in the slices of online CPUs. */
class KiranZeroOnlineOnly extends KiranAllocator {
  protected override zeroCopies(addr: number, size: number): void {
    for (const cpu of this.machine.cpus.online) {
      const r = this.machine.fill(addr + cpu * PCPU_BLKSIZE, size, 0);
      if (!r.ok) throw new MachineError(r.message);
    }
  }
}

export const kiranZeroOnlineOnly: MutantEntry = {
  id: "kiran-zero-online-only",
  revision: "kiran-2005-09",
  description: "the new object is zeroed with for_each_online_cpu instead of every possible CPU",
  source:
    "percpu_counter: add percpu_counter_sum_all (2022): online-only loops miss offline CPUs' memory; cpu_hotplug.rst",
  expected: ["zero-on-alloc"],
  create: () => new KiranZeroOnlineOnly(),
};
