import type { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import { BitmapAllocator } from "../revisions/index.ts";
import { pcpu_lock, type Operation } from "../sections/index.ts";
import type { MutantEntry } from "./mutant.ts";

const AREA = 4;

/**
 * pcpu_alloc chooses the area under pcpu_lock, drops the lock, and takes the area it chose
 * once it has the lock again, without looking whether it is still free: the check-then-act
 * that pcpu_alloc avoids by finding and reserving in one pcpu_lock section (and that the
 * area-map era's pcpu_alloc avoided by restarting its search after pcpu_extend_area_map had
 * dropped the lock: `goto restart`). One operation at a time nothing runs in the gap; an
 * atomic allocation in another thread takes the same area there, and both callers are given it.
 *
 *   T1 alloc   [mutex, lock] area 0x0 chosen, lock dropped │            │ [lock] takes 0x0 again
 *   T2 alloc atomic                                        [lock] 0x0 ─ returns 0x0
 */
class BitmapAreaLockDropped extends BitmapAllocator {
  protected override *areaReserved(
    chunk: PcpuChunk,
    bitOff: number,
    bits: number,
    bitAlign: number,
  ): Operation<number> {
    this.freeArea(chunk, bitOff * AREA);
    yield {
      section: "area at chunk %d off %x chosen, lock dropped",
      args: [chunk.id, bitOff * AREA],
      release: [pcpu_lock],
      acquire: [pcpu_lock],
    };
    // The reservation made again from the offset chosen, its answer not looked at.
    const oslot = this.slots.chunkSlot(chunk);
    chunk.allocArea(bits, bitAlign, bitOff);
    this.slots.relocate(chunk, oslot);
    return bitOff;
  }
}

export const bitmapAreaLockDropped: MutantEntry = {
  id: "bitmap-area-lock-dropped",
  revision: "bitmap-2017",
  description:
    "pcpu_alloc drops pcpu_lock between choosing an area and reserving it, and keeps the area it chose",
  source:
    "mm/percpu.c pcpu_alloc: the area is found (pcpu_find_block_fit) and reserved (pcpu_alloc_area) in one pcpu_lock section; the area-map era's pcpu_alloc restarted its search after pcpu_extend_area_map dropped the lock ('goto restart')",
  expected: ["linearizability", "between-sections"],
  create: () => new BitmapAreaLockDropped(),
};
