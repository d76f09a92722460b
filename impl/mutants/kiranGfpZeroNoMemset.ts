import { KiranAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * The slice pages are taken with __GFP_ZERO and the memset of a new object is dropped: a fresh
 * block reads zero, but space freed in a block that stays live comes back with its old
 * contents.
 *
 *   one block:  | o1 (written ab ab ..) | o2 |   free(o1)   | o3 = o1's place: ab ab .. |
 *                 fresh page: zero                             reuse: not zeroed
 */
class KiranGfpZeroNoMemset extends KiranAllocator {
  protected override sliceGfp(): { readonly highmem: boolean; readonly zero: boolean } {
    return { highmem: true, zero: true };
  }

  protected override zeroCopies(): void {}
}

export const kiranGfpZeroNoMemset: MutantEntry = {
  id: "kiran-gfp-zero-no-memset",
  revision: "kiran-2005-09",
  description:
    "slice pages from __GFP_ZERO and no memset of a new object: only the reuse of freed space skips the zeroing",
  source:
    'LKML Jan 2005, Morton: "Can use __GFP_ZERO here" (taken too far: __alloc_percpu must still clear reused space)',
  expected: ["zero-on-alloc"],
  create: () => new KiranGfpZeroNoMemset(),
};
