import { BitmapAllocator } from "../revisions/index.ts";
import { PCPU_BITMAP_BLOCK_BITS as BLOCK_BITS } from "../revisions/bitmap/chunkMaps.ts";
import { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * A chunk whose allocation path, for an area inside one block (s_index == e_index) that ends at
 * the chunk's last bit, takes the area for one past the chunk hint: the one-block branch's
 * bound against pcpu_chunk_map_bits is off by one (`<` where `<=` was meant), so the chunk
 * hint is not refreshed when such an area breaks it. An area from the block's first bit (a
 * whole page, page-aligned) takes the other branch.
 */
class UnitEndHintKeptChunk extends PcpuChunk {
  private atUnitEnd = false;
  override blockUpdateHintAlloc(bitOff: number, bits: number): void {
    // Inside the last block (one page), not from its first bit, up to the chunk's last bit.
    const block = Math.floor(bitOff / BLOCK_BITS);
    const oneBlock = block === Math.floor((bitOff + bits - 1) / BLOCK_BITS);
    this.atUnitEnd = oneBlock && bitOff % BLOCK_BITS > 0 && bitOff + bits === this.mapBits;
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
 * pcpu_block_update_hint_alloc keeps the chunk's contig hint when the area it gives out lies in
 * the unit's last page, after its first byte, and ends at the unit's last byte: only an object
 * that fills the tail of a unit's last page leaves the chunk promising the area it just gave
 * away (the small objects that close a unit: the random runs' page-scale requests take whole
 * pages, their small ones rarely fill a unit).
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
    "an allocation inside the unit's last page, not from its first byte, ending at the unit's last byte does not refresh the chunk's contig hint it breaks",
  source:
    "mm/percpu.c pcpu_block_update_hint_alloc, 'if (pcpu_region_overlap(chunk_md->contig_hint_start, ...)) pcpu_chunk_refresh_hint(chunk, false)' (percpu: update alloc path to only scan if contig hints are broken, 2017): the bound at pcpu_chunk_map_bits off by one",
  expected: ["bitmap-chunk-hint"],
  deep: "unit-last-page",
  create: () => new BitmapUnitEndHintKept(),
};
