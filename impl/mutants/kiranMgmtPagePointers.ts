import { alignUp, PAGE_SIZE } from "../machine/index.ts";
import { januaryMgmtBytes, KiranJanuaryAllocator, PAGES_PER_SLICE } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * The January block struct gains the Sep 2005 page-pointer array of
 * (PCPU_BLKSIZE >> PAGE_SHIFT) x NR_CPUS x 2 entries, so the management area grows with NR_CPUS:
 *
 *   i386, NR_CPUS 8:   2048 bufctls + block struct + 32 pointers    =  9 pages
 *   i386, NR_CPUS 512: 2048 bufctls + block struct + 2048 pointers  = 11 pages
 */
class KiranMgmtPagePointers extends KiranJanuaryAllocator {
  override mgmtPagesPerBlock(): number {
    const pointers = PAGES_PER_SLICE * this.machine.cpus.nrCpus * 2 * this.wordSize;
    const bytes = januaryMgmtBytes(this.wordSize) + pointers;
    return alignUp(bytes, PAGE_SIZE) / PAGE_SIZE;
  }
}

export const kiranMgmtPagePointers: MutantEntry = {
  id: "kiran-mgmt-page-pointers",
  revision: "kiran-2005-01",
  description:
    "the block's management area holds an NR_CPUS-sized page-pointer array: 9 pages at NR_CPUS 8, 11 at 512 (i386)",
  source:
    'LKML [patch 2/11] <20050913155608.GD3570@localhost.localdomain> (the Sep 2005 block struct); Kiran\'s January "not dependent on NR_CPUS"',
  expected: ["nr-cpus-independence"],
  create: () => new KiranMgmtPagePointers(),
};
