import { KiranAllocator, PAGES_PER_SLICE, PCPU_BLKSIZE } from "../revisions/index.ts";
import { PAGE_SIZE } from "../machine/index.ts";
import type { PcpuBlock } from "../revisions/kiran/pcpuBlock.ts";
import type { MutantEntry } from "./mutant.ts";

/** The rollback frees a slice page but leaves its pointer in the block's page array. */
class KiranStalePagePointer extends KiranAllocator {
  protected override unmapSlot(block: PcpuBlock, slot: number): void {
    const pfn = block.pages[slot];
    if (pfn === null || pfn === undefined) return;
    const cpu = Math.floor(slot / PAGES_PER_SLICE);
    const j = slot % PAGES_PER_SLICE;
    this.machine.vmalloc.unmap(block.start + cpu * PCPU_BLKSIZE + j * PAGE_SIZE);
    this.machine.pages.free(pfn);
  }
}

export const kiranStalePagePointer: MutantEntry = {
  id: "kiran-stale-page-pointer",
  revision: "kiran-2005-09",
  description:
    "the unwind does not clear pages[j] = NULL after freeing a slice page (the bug patch 11/11 fixed)",
  source:
    "LKML [patch 11/11] <20050913161914.GM3570@localhost.localdomain>: stale page pointers after rollback",
  expected: ["no-oops"],
  create: () => new KiranStalePagePointer(),
};
