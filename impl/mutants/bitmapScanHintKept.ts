import { BitmapAllocator } from "../revisions/index.ts";
import { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/** A chunk whose allocation path keeps a block's scan hint it has just used up. */
class ScanHintKeptChunk extends PcpuChunk {
  override blockUpdateHintAlloc(bitOff: number, bits: number): void {
    const index = Math.floor(bitOff / 1024);
    const block = this.block(index);
    const saved = { scanHint: block.scanHint, scanHintStart: block.scanHintStart };
    super.blockUpdateHintAlloc(bitOff, bits);
    const off = bitOff % 1024;
    const overlapped =
      saved.scanHintStart < off + bits && off < saved.scanHintStart + saved.scanHint;
    if (
      overlapped &&
      block.contigHint >= saved.scanHint &&
      saved.scanHintStart < block.contigHintStart
    ) {
      block.scanHint = saved.scanHint;
      block.scanHintStart = saved.scanHintStart;
    }
  }
}

/**
 * pcpu_block_update_hint_alloc does not drop the block's scan hint when the allocation
 * overlaps it: the hint names an area that is no longer free.
 */
class BitmapScanHintKept extends BitmapAllocator {
  protected override newChunk(base: number, meta: number[]): PcpuChunk {
    return new ScanHintKeptChunk(this.nextChunkId++, base, 8, meta, this.counters, this.work);
  }
}

export const bitmapScanHintKept: MutantEntry = {
  id: "bitmap-scan-hint-kept",
  revision: "bitmap-2017",
  description:
    "an allocation overlapping a block's scan hint leaves the scan hint in place (no pcpu_region_overlap reset)",
  source: "percpu: use block scan_hint to only scan forward (2019)",
  expected: ["bitmap-block-hints"],
  create: () => new BitmapScanHintKept(),
};
