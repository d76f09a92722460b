import type { Ptr } from "../allocator.ts";
import { KiranAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** The bufctl walk matches any address inside an object, so an interior pointer frees it. */
class KiranFreeInterior extends KiranAllocator {
  protected override findBufctl(ptr: Ptr): number {
    const exact = super.findBufctl(ptr);
    if (exact >= 0) return exact;
    return this.bufctls.findIndex((c) => ptr > c.addr && ptr < c.addr + c.bits * this.currency);
  }
}

export const kiranFreeInterior: MutantEntry = {
  id: "kiran-free-interior",
  revision: "kiran-2005-09",
  description:
    "free_percpu looks up the bufctl whose object contains the address, not the one that starts there",
  source:
    "LKML [patch 2/11] Sep 2005 free path: walk the bufctl list for the exact address (BUG if none)",
  expected: ["bad-input"],
  create: () => new KiranFreeInterior(),
};
