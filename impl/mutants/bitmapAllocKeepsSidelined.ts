import { BitmapAllocator } from "../revisions/index.ts";
import type { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_alloc without pcpu_reintegrate_chunk: an area found in a sidelined chunk is taken, but
 * the chunk stays isolated on the sidelined list, out of pcpu_nr_empty_pop_pages, with live
 * areas the reclaim path will not see until a free sends it back to to_depopulate.
 *
 *   sidelined chunk, 1 live  -- alloc -->  sidelined, 2 live   (6.12: back on its slot)
 *
 * Every count stays consistent (an isolated chunk is left out of the global count whatever it
 * holds), so only the chunk machine's lists tell it from the kernel.
 */
class BitmapAllocKeepsSidelined extends BitmapAllocator {
  private allocating = false;

  protected override searchSlots(
    size: number,
    bits: number,
    bitAlign: number,
    atomic: boolean,
  ): { chunk: PcpuChunk; bitOff: number } | undefined {
    this.allocating = true;
    try {
      return super.searchSlots(size, bits, bitAlign, atomic);
    } finally {
      this.allocating = false;
    }
  }

  protected override reintegrateChunk(chunk: PcpuChunk): void {
    if (!this.allocating) super.reintegrateChunk(chunk);
  }
}

export const bitmapAllocKeepsSidelined: MutantEntry = {
  id: "bitmap-alloc-keeps-sidelined",
  revision: "bitmap-2017",
  description:
    "pcpu_alloc takes an area of a sidelined chunk without pcpu_reintegrate_chunk: the chunk stays isolated with live areas",
  source:
    "mm/percpu.c pcpu_alloc (5.14, Roman Gushchin, 'percpu: implement partial chunk depopulation'): 'off = pcpu_alloc_area(chunk, bits, bit_align, off); if (off >= 0) { pcpu_reintegrate_chunk(chunk); goto area_found; }'",
  expected: ["chunk-lifecycle"],
  create: () => new BitmapAllocKeepsSidelined(),
};
