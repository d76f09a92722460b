import { BitmapAllocator } from "../revisions/index.ts";
import { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/** A chunk whose md iterators keep the first block's offset for the blocks after it. */
class StaleBlockOffChunk extends PcpuChunk {
  protected override blockOffAfter(blockOff: number): number {
    return blockOff;
  }
}

/**
 * pcpu_next_md_free_region / pcpu_next_fit_region do not reset block_off after the first
 * block: a later block whose contig hint starts before that offset is skipped, so the chunk
 * hint misses free space and fits are not found.
 */
class BitmapSkipOverBlock extends BitmapAllocator {
  protected override newChunk(base: number, meta: number[]): PcpuChunk {
    return new StaleBlockOffChunk(this.nextChunkId++, base, 8, meta, this.counters, this.work);
  }
}

export const bitmapSkipOverBlock: MutantEntry = {
  id: "bitmap-skip-over-block",
  revision: "bitmap-2017",
  description:
    "the md free-region and fit-region iterators keep a stale block offset past the first block",
  source: "percpu: fix iteration to prevent skipping over block (2017)",
  expected: ["bitmap-chunk-hint"],
  create: () => new BitmapSkipOverBlock(),
};
