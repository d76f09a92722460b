import { BitmapAllocator } from "../revisions/index.ts";
import type { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * Populating pages for an allocation raises the empty-page counts as if the pages stayed
 * empty: the pages are about to hold the new area, so the chunk's and the global
 * nr_empty_pop_pages run ahead of what the bitmaps say and the worker under-populates.
 */
class BitmapEmptyOnPopulate extends BitmapAllocator {
  protected override chunkPopulatedForAlloc(chunk: PcpuChunk, rs: number, re: number): void {
    super.chunkPopulatedForAlloc(chunk, rs, re);
    chunk.updateEmptyPages(re - rs);
  }
}

export const bitmapEmptyOnPopulate: MutantEntry = {
  id: "bitmap-empty-on-populate",
  revision: "bitmap-2017",
  description:
    "pages populated to serve an allocation are counted as empty populated pages (pcpu_chunk_populated for_alloc ignored)",
  source:
    "percpu bitmap allocator v2 changelog (Dennis Zhou, 2017): do not increment pcpu_nr_empty_pop_pages when populating for an allocation",
  expected: ["bitmap-populated"],
  create: () => new BitmapEmptyOnPopulate(),
};
