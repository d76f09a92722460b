import { BitmapAllocator } from "../revisions/index.ts";
import { ChunkSlots } from "../revisions/bitmap/chunkSlots.ts";
import type { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import { PCPU_UNIT_SIZE } from "../revisions/bitmap/percpuVm.ts";
import type { Machine } from "../machine/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** The chunks pcpu_chunk_relocate moves: the first two holding objects. */
const MOVED_CHUNKS = 2;

/**
 * Slot lists whose relocation leaves a chunk where it is once two other chunks hold objects:
 * the exemption meant for the first and the reserved chunk (`chunk != pcpu_reserved_chunk`)
 * written as a bound on a count of partly used chunks (`nr_used < 2`).
 */
class ThirdChunkUnmovedSlots extends ChunkSlots {
  override relocate(chunk: PcpuChunk, oslot: number): void {
    // A new chunk's first placement (oslot -1, from pcpu_create_chunk's caller) is kept.
    const others = this.all().filter((c) => c !== chunk && c.freeBytes < this.unitSize);
    if (oslot >= 0 && others.length >= MOVED_CHUNKS) return;
    super.relocate(chunk, oslot);
  }
}

/**
 * pcpu_chunk_relocate does nothing for a third chunk in use at once: it stays on the slot of
 * its old contig hint, so the slot scan looks for room in the wrong places. Only from the
 * third chunk holding objects on.
 */
class BitmapThirdChunkUnmoved extends BitmapAllocator {
  protected override reset(machine: Machine): void {
    super.reset(machine);
    this.slots = new ThirdChunkUnmovedSlots(PCPU_UNIT_SIZE);
  }
}

export const bitmapThirdChunkUnmoved: MutantEntry = {
  id: "bitmap-third-chunk-unmoved",
  revision: "bitmap-2017",
  description:
    "pcpu_chunk_relocate does not move a chunk while two other chunks hold objects: a third chunk in use stays on a stale slot",
  source:
    "mm/percpu.c pcpu_chunk_relocate, 'if (chunk != pcpu_reserved_chunk) ... pcpu_chunk_move(chunk, nslot, oslot < nslot)' (percpu: replace area map allocator with bitmap, 2017): the exemption as a bound on chunks in use",
  expected: ["bitmap-slots"],
  deep: "chunks-3",
  create: () => new BitmapThirdChunkUnmoved(),
};
