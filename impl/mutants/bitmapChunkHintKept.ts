import { BitmapAllocator } from "../revisions/index.ts";
import { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/** A chunk that never rescans its chunk hint on the allocation path. */
class ChunkHintKeptChunk extends PcpuChunk {
  private allocating = false;
  override blockUpdateHintAlloc(bitOff: number, bits: number): void {
    this.allocating = true;
    try {
      super.blockUpdateHintAlloc(bitOff, bits);
    } finally {
      this.allocating = false;
    }
  }
  override chunkRefreshHint(fullScan: boolean): void {
    if (!this.allocating) super.chunkRefreshHint(fullScan);
  }
}

/**
 * pcpu_block_update_hint_alloc does not refresh the chunk's hint when the allocation breaks
 * it: the chunk keeps promising the area it just gave away.
 */
class BitmapChunkHintKept extends BitmapAllocator {
  protected override newChunk(base: number, meta: number[]): PcpuChunk {
    return new ChunkHintKeptChunk(this.nextChunkId++, base, 8, meta, this.counters, this.work);
  }
}

export const bitmapChunkHintKept: MutantEntry = {
  id: "bitmap-chunk-hint-kept",
  revision: "bitmap-2017",
  description:
    "an allocation that breaks the chunk's contig hint does not call pcpu_chunk_refresh_hint",
  source: "percpu: update alloc path to only scan if contig hints are broken (2017)",
  expected: ["bitmap-chunk-hint"],
  create: () => new BitmapChunkHintKept(),
};
