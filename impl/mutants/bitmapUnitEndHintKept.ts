import { BitmapAllocator } from "../revisions/index.ts";
import { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * A chunk whose allocation path takes an area ending at the chunk's last bit for one past the
 * chunk hint: the overlap test of the hint's end against pcpu_chunk_map_bits is off by one
 * (`<` where `<=` was meant), so the chunk hint is not refreshed when such an area breaks it.
 */
class UnitEndHintKeptChunk extends PcpuChunk {
  private atUnitEnd = false;
  override blockUpdateHintAlloc(bitOff: number, bits: number): void {
    this.atUnitEnd = bitOff + bits === this.mapBits;
    try {
      super.blockUpdateHintAlloc(bitOff, bits);
    } finally {
      this.atUnitEnd = false;
    }
  }
  override chunkRefreshHint(fullScan: boolean): void {
    if (!this.atUnitEnd) super.chunkRefreshHint(fullScan);
  }
}

/**
 * pcpu_block_update_hint_alloc keeps the chunk's contig hint when the area it gives out ends at
 * the unit's last byte: only an object in a unit's last page, ending exactly at the unit's end,
 * leaves the chunk promising the area it just gave away.
 */
class BitmapUnitEndHintKept extends BitmapAllocator {
  protected override newChunk(base: number, meta: number[]): PcpuChunk {
    return new UnitEndHintKeptChunk(this.nextChunkId++, base, 8, meta, this.counters, this.work);
  }
}

export const bitmapUnitEndHintKept: MutantEntry = {
  id: "bitmap-unit-end-hint-kept",
  revision: "bitmap-2017",
  description:
    "an allocation ending at the unit's last byte (the chunk's last bit) does not refresh the chunk's contig hint it breaks",
  source:
    "mm/percpu.c pcpu_block_update_hint_alloc, 'if (pcpu_region_overlap(chunk_md->contig_hint_start, ...)) pcpu_chunk_refresh_hint(chunk, false)' (percpu: update alloc path to only scan if contig hints are broken, 2017): the bound at pcpu_chunk_map_bits off by one",
  expected: ["bitmap-chunk-hint"],
  deep: "unit-last-page",
  create: () => new BitmapUnitEndHintKept(),
};
