import { KiranAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * The bufctl walk in free_percpu stops one entry late (the cursor is advanced once more before
 * the list_del): when another object's bufctl comes next, that object is the one freed, while
 * the object asked for keeps its bufctl and its bits.
 */
class KiranFreeWrongBufctl extends KiranAllocator {
  protected override findBufctl(ptr: number): number {
    const at = super.findBufctl(ptr);
    // The walk goes from the newest bufctl down: one step further is the entry before it.
    return at > 0 ? at - 1 : at;
  }
}

export const kiranFreeWrongBufctl: MutantEntry = {
  id: "kiran-free-wrong-bufctl",
  revision: "kiran-2005-09",
  description:
    "free_percpu's bufctl walk stops one entry late: the next object's bufctl is unlinked and that object freed instead",
  source: "LKML [patch 2/11] Sep 2005: free_percpu walks the bufctl list for the exact address",
  expected: ["kiran-bufctls"],
  create: () => new KiranFreeWrongBufctl(),
};
