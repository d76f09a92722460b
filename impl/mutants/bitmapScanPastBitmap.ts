import { BitmapAllocator } from "../revisions/index.ts";
import { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import { PCPU_BITMAP_BLOCK_BITS } from "../revisions/bitmap/chunkMaps.ts";
import type { MutantEntry } from "./mutant.ts";

/** A chunk whose area scan is not capped at its bits; past the map, bits read as clear. */
class UncappedScanChunk extends PcpuChunk {
  protected override scanEnd(start: number, allocBits: number): number {
    return start + allocBits + PCPU_BITMAP_BLOCK_BITS;
  }
}

/**
 * pcpu_alloc_area scans to start + alloc_bits + PCPU_BITMAP_BLOCK_BITS without capping the end
 * at pcpu_chunk_map_bits: near the end of a chunk, a request whose alignment pushes it past the
 * last free run is placed beyond the bitmap, outside the unit.
 */
class BitmapScanPastBitmap extends BitmapAllocator {
  protected override newChunk(base: number, meta: number[]): PcpuChunk {
    return new UncappedScanChunk(this.nextChunkId++, base, 8, meta, this.counters, this.work);
  }
}

export const bitmapScanPastBitmap: MutantEntry = {
  id: "bitmap-scan-past-bitmap",
  revision: "bitmap-2017",
  description:
    "pcpu_alloc_area's scan end is start + alloc_bits + PCPU_BITMAP_BLOCK_BITS, not capped at the chunk's bits",
  source: "percpu: do not search past bitmap when allocating an area (2019)",
  expected: ["bitmap-free-bytes"],
  create: () => new BitmapScanPastBitmap(),
};
