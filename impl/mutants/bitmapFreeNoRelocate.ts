import { BitmapAllocator } from "../revisions/index.ts";
import type { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_free_area without its closing pcpu_chunk_relocate: a chunk stays on the slot of its
 * old free size after a free, so the slot scan looks for space in the wrong places and a fully
 * free chunk is not on the free list.
 */
class BitmapFreeNoRelocate extends BitmapAllocator {
  protected override freeArea(chunk: PcpuChunk, off: number): void {
    chunk.freeArea(off);
  }
}

export const bitmapFreeNoRelocate: MutantEntry = {
  id: "bitmap-free-no-relocate",
  revision: "bitmap-2017",
  description: "pcpu_free_area does not relocate the chunk to the slot its new free size gives",
  source:
    "mm/percpu.c pcpu_free_area, 'pcpu_chunk_relocate(chunk, oslot)' (percpu: replace area map allocator with bitmap, 2017)",
  expected: ["bitmap-slots"],
  create: () => new BitmapFreeNoRelocate(),
};
