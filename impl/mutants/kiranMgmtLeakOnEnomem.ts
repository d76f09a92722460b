import { PAGE_SIZE } from "../machine/index.ts";
import { KiranAllocator, PCPU_BLKSIZE } from "../revisions/index.ts";
import type { PcpuBlock } from "../revisions/kiran/pcpuBlock.ts";
import type { MutantEntry } from "./mutant.ts";

/** The unwind after a failed slice forgets to free the management pages. */
class KiranMgmtLeakOnEnomem extends KiranAllocator {
  protected override unwindBlock(block: PcpuBlock): void {
    const m = this.machine;
    for (let slot = 0; slot < block.pages.length; slot++) this.unmapSlot(block, slot);
    const mgmtStart = block.start + m.cpus.nrCpus * PCPU_BLKSIZE;
    block.mgmtPages.forEach((_, i) => m.vmalloc.unmap(mgmtStart + i * PAGE_SIZE));
    m.vmalloc.release(block.start);
  }
}

export const kiranMgmtLeakOnEnomem: MutantEntry = {
  id: "kiran-mgmt-leak-on-enomem",
  revision: "kiran-2005-09",
  description: "when a CPU's slice pages cannot be had, the block's management pages are not freed",
  source: "LKML [patch 2/11] Sep 2005 valloc_percpu error path; Morton's review of the unwind",
  expected: ["failure-atomicity"],
  create: () => new KiranMgmtLeakOnEnomem(),
};
