import { BitmapAllocator } from "../revisions/index.ts";
import type { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_reclaim_populated depopulates empty pages without the batched TLB flush: the pages are
 * freed but their old translations stay live, so a depopulated page is still reachable (and
 * its frame may already belong to someone else). Destroying the chunk later flushes through
 * free_vm_area, as in the kernel.
 */
class BitmapNoTlbFlush extends BitmapAllocator {
  protected override postUnmapTlbFlush(_chunk: PcpuChunk, _start: number, _end: number): void {}
}

export const bitmapNoTlbFlush: MutantEntry = {
  id: "bitmap-no-tlb-flush",
  revision: "bitmap-2017",
  description:
    "pcpu_reclaim_populated frees empty pages without pcpu_post_unmap_tlb_flush: stale mappings of freed pages",
  source: "percpu: flush tlb in pcpu_reclaim_populated() (v5.14)",
  expected: ["bitmap-populated"],
  create: () => new BitmapNoTlbFlush(),
};
