import { KiranAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** OBJS_PER_BLOCK of the January patch's 8-byte currency: PCPU_BLKSIZE / 8. */
const JANUARY_OBJS_PER_BLOCK = 1024;

/**
 * free_percpu's walk of the global bufctl list, bounded by a guard against a corrupted list
 * that was sized with the January patch's OBJS_PER_BLOCK (8-byte currency: 8192 / 8 = 1024
 * entries) and not raised when the currency became sizeof(int): the walk gives up after the
 * 1,024 newest bufctls, so an object with 1,024 or more objects allocated after it and still
 * live is "not a live percpu pointer". Only past 1,024 live objects.
 */
class KiranFreeWalkBound extends KiranAllocator {
  protected override findBufctl(ptr: number): number {
    const last = this.bufctls.length - 1;
    for (let i = last; i >= 0 && last - i < JANUARY_OBJS_PER_BLOCK; i--) {
      this.work.loopIterations++;
      if (this.bufctls[i]?.addr === ptr) return i;
    }
    return -1;
  }
}

export const kiranFreeWalkBound: MutantEntry = {
  id: "kiran-free-walk-bound",
  revision: "kiran-2005-09",
  description:
    "free_percpu's walk of the bufctl list stops after 1,024 entries (the January patch's OBJS_PER_BLOCK): an object with 1,024 newer live objects cannot be freed",
  source:
    "LKML Sep 2005 [patch 2/11] <20050913155608.GD3570@localhost.localdomain>: free_percpu walks the global bufctl list for the exact address; OBJS_PER_BLOCK = PCPU_BLKSIZE / PCPU_CURR_SIZE, 1,024 with the January patch's 8-byte currency, 2,048 with sizeof(int)",
  expected: ["completeness"],
  deep: "live-1000",
  create: () => new KiranFreeWalkBound(),
};
