import { KiranAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * free_percpu lowers the block's size_used but leaves the block where it was in the list: the
 * list is no longer sorted by bytes used, so the allocation walk from first_notfull meets a
 * nearly empty block before a nearly full one and the best-packing order is lost.
 */
class KiranFreeNoResort extends KiranAllocator {
  protected override moveDown(_index: number): void {}
}

export const kiranFreeNoResort: MutantEntry = {
  id: "kiran-free-no-resort",
  revision: "kiran-2005-09",
  description:
    "free_percpu does not move the block down the list: the list loses its sort by bytes used",
  source:
    "LKML Jan 2005 <20050113083412.GA7567@impedimenta.in.ibm.com>: 'the blocks are sorted on size_used', re-sorted on every alloc and free",
  expected: ["kiran-list-order"],
  create: () => new KiranFreeNoResort(),
};
