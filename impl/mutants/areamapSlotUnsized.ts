import { AreamapAllocator, sizeToSlotRaw } from "../revisions/areamap/areamapAllocator.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * The slot of a size is always __pcpu_size_to_slot(size): a fully free chunk (free size =
 * unit size) lands in slot fls(unit) - 3 instead of the last slot, so free_percpu never sees
 * it among the fully free chunks and the reclaim work is never scheduled.
 *
 *   free 32768: __pcpu_size_to_slot = 13, pcpu_size_to_slot = 14 (pcpu_nr_slots - 1)
 */
class AreamapSlotUnsized extends AreamapAllocator {
  protected override sizeToSlot(size: number): number {
    return sizeToSlotRaw(size);
  }
}

export const areamapSlotUnsized: MutantEntry = {
  id: "areamap-slot-unsized",
  revision: "areamap-2009",
  description:
    "pcpu_size_to_slot loses its whole-unit case, so a fully free chunk is not on the last slot and is never reclaimed (caught by areamap-slots only: no-leak already fails for the revision by design)",
  source:
    "mm/percpu.c 2.6.30 pcpu_size_to_slot: 'if (size == pcpu_unit_size) return pcpu_nr_slots - 1;', the slot free_percpu and pcpu_reclaim scan for fully free chunks",
  expected: ["areamap-slots"],
  create: () => new AreamapSlotUnsized(),
};
