import { bitmapDetail, BITMAP_DESIGN } from "./bitmapRuns.ts";
import { perDetail } from "./bitmapRuns.ts";
import type { BitmapChunkDetail, BitmapDetail } from "../../impl/index.ts";
import { conjunctNames, firstBroken, type Conjuncts } from "./invariant.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

/** PCPU_SLOT_FAIL_THRESHOLD: a chunk that misses a fit below this slot goes to slot 0. */
const FAIL_THRESHOLD = 3;

/** __pcpu_size_to_slot. */
function sizeToSlot(size: number): number {
  const fls = size <= 0 ? 0 : Math.floor(Math.log2(size)) + 1;
  return Math.max(fls - 5 + 2, 1);
}

const PER_CHUNK: Conjuncts<[BitmapChunkDetail, number, BitmapDetail]> = {
  one_list: (c, i, d) =>
    d.chunks.slice(0, i).some((x) => x.id === c.id)
      ? `chunk ${c.id} is on more than one list`
      : undefined,
  isolated: (c, _i, d) =>
    c.isolated && c.slot !== d.sidelinedSlot && c.slot !== d.toDepopulateSlot
      ? `chunk ${c.id} is isolated but on slot ${c.slot}, expected ${d.sidelinedSlot} (sidelined) or ${d.toDepopulateSlot} (to_depopulate)`
      : undefined,
  reserved: (c) =>
    c.reserved === true && c.slot !== -1
      ? `the reserved chunk ${c.id} is on slot ${c.slot}, expected on no list (pcpu_chunk_relocate leaves it)`
      : undefined,
  slot(c, _i, d) {
    if (c.isolated || c.reserved === true) return undefined;
    const contigBytes = c.chunkMd.contigHint * d.minAllocSize;
    const want =
      c.freeBytes < d.minAllocSize || c.chunkMd.contigHint === 0
        ? 0
        : contigBytes === d.unitSize
          ? d.freeSlot
          : sizeToSlot(contigBytes);
    return c.slot !== want && !(c.slot === 0 && want < FAIL_THRESHOLD)
      ? `chunk ${c.id} (free_bytes ${c.freeBytes}, contig hint ${contigBytes} bytes) is on slot ${c.slot}, expected ${want}`
      : undefined;
  },
};

/**
 * bitmap-slots: every chunk is on exactly one list, and the one its state gives (the reserved
 * chunk, pcpu_reserved_chunk, on none): an isolated
 * chunk on the sidelined or to_depopulate list; any other on slot 0 when it has fewer than 4
 * free bytes or contig hint 0, on the free slot when fully free, else on
 * __pcpu_size_to_slot(contig_hint × 4) = max(fls(bytes) - 5 + 2, 1), or on slot 0 when that
 * slot is below PCPU_SLOT_FAIL_THRESHOLD (a failed fit moved it there).
 *
 *   slot 0 | 1 | 2 | ... | 13 | 14 sidelined | 15 free | 16 to_depopulate
 *
 * Source: mm/percpu.c pcpu_chunk_slot, pcpu_size_to_slot, pcpu_chunk_relocate ("leave isolated
 * chunks in-place"), pcpu_alloc (PCPU_SLOT_FAIL_THRESHOLD), pcpu_isolate_chunk.
 * Cost: O(chunks) per audit (every K steps and at the end of a run).
 */
export const bitmapSlots = whiteBoxInvariant<BitmapDetail>({
  id: "bitmap-slots",
  title: "each chunk is on the slot its free size gives (isolated ones on the depopulation lists)",
  source: "mm/percpu.c pcpu_chunk_slot, pcpu_chunk_relocate, pcpu_alloc",
  cost: "O(chunks) per audit",
  design: BITMAP_DESIGN,
  read: bitmapDetail,
  conjuncts: conjunctNames(PER_CHUNK),
  state: (d) => judge(d),
  judge(d) {
    return perDetail(d, "slots", () => judge(d));
  },
});

function judge(d: BitmapDetail): string | undefined {
  for (const [i, c] of d.chunks.entries()) {
    const broken = firstBroken(PER_CHUNK, c, i, d);
    if (broken !== undefined) return broken;
  }
  return undefined;
}
