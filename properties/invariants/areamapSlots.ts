import type { AreamapDetail } from "../../impl/index.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

/** fls(): the 1-based index of the highest set bit. */
function fls(x: number): number {
  return x <= 0 ? 0 : Math.floor(Math.log2(x)) + 1;
}

/**
 * areamap-slots: each chunk is on exactly one slot list, the one its free size gives:
 * slot 0 when the free size or the contig hint is below sizeof(int), the last slot when the
 * whole unit is free, else max(fls(free) - PCPU_SLOT_BASE_SHIFT + 2, 1).
 *
 *   free size   1-31 -> 1   32-63 -> 2   ...   16384-32767 -> 12   32768 (unit) -> last (14)
 *
 * Source: mm/percpu.c of 2.6.30: pcpu_chunk_slot, pcpu_size_to_slot, __pcpu_size_to_slot
 * (PCPU_SLOT_BASE_SHIFT 5) and pcpu_chunk_relocate after every allocation and free; the
 * allocator searches from the request's slot upward and free_percpu looks for fully free
 * chunks in the last slot only.
 * Cost: one `inspect` detail per audit (every K steps and at the end of a run): O(chunks + slot entries).
 */
export const areamapSlots = whiteBoxInvariant<AreamapDetail>({
  id: "areamap-slots",
  title: "each chunk is on the one slot list its free size gives",
  source: "mm/percpu.c 2.6.30: pcpu_chunk_slot, pcpu_size_to_slot, pcpu_chunk_relocate",
  cost: "O(chunks + slot entries) per audit",
  design: "areamap-2009",
  // The detail alone: judged between the sections of an interleaved run too.
  state(detail) {
    const { chunks, slots, nrSlots, unitSize } = detail;
    const onList = new Map<number, number[]>();
    slots.forEach((list, slot) => {
      for (const id of list) onList.set(id, [...(onList.get(id) ?? []), slot]);
    });
    for (const c of chunks) {
      const expected =
        c.freeSize < 4 || c.contigHint < 4
          ? 0
          : c.freeSize === unitSize
            ? nrSlots - 1
            : Math.max(fls(c.freeSize) - 5 + 2, 1);
      const found = onList.get(c.id) ?? [];
      if (found.length !== 1 || found[0] !== expected) {
        return `chunk ${c.id} (free ${c.freeSize}, contig hint ${c.contigHint}) is on slot list(s) [${found.join(", ")}], expected slot ${expected}`;
      }
    }
    return undefined;
  },
});
