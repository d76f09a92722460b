import { BitmapAllocator } from "../revisions/index.ts";
import { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/** A chunk that counts allocation bits where bytes are meant. */
class BitsAsBytesChunk extends PcpuChunk {
  protected override bytesOf(bits: number): number {
    return bits;
  }
}

/**
 * free_bytes moves by the number of allocation bits instead of 4 bytes per bit: the unit
 * confusion of "percpu: fix starting offset for chunk statistics traversal" (a byte offset used
 * as a bit offset), here in the count every slot decision reads.
 */
class BitmapFreeBytesBits extends BitmapAllocator {
  protected override newChunk(base: number, meta: number[]): PcpuChunk {
    return new BitsAsBytesChunk(this.nextChunkId++, base, 8, meta, this.counters, this.work);
  }
}

export const bitmapFreeBytesBits: MutantEntry = {
  id: "bitmap-free-bytes-bits",
  revision: "bitmap-2017",
  description:
    "pcpu_alloc_area / pcpu_free_area change free_bytes by alloc_bits, not alloc_bits x PCPU_MIN_ALLOC_SIZE (bits used as bytes)",
  source: "percpu: fix starting offset for chunk statistics traversal (2017)",
  expected: ["bitmap-free-bytes"],
  create: () => new BitmapFreeBytesBits(),
};
