import { BitmapAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_alloc's LOW watermark check reads pcpu_nr_empty_pop_pages after mutex_unlock, holding
 * no lock, as 6.12.117 does, where bitmap-2017 reads it in the last section that holds
 * pcpu_lock (the fix). One operation at a time both read the same value: only an interleaved
 * run tells them apart, where a free or the balance worker changes the count under pcpu_lock
 * while the read holds nothing.
 *
 *   T1 alloc   [mutex, lock] area found, lock dropped │ mutex dropped │ LOW watermark read (no lock)
 *   T2 free                                            [lock] area freed, lock dropped (writes it)
 */
class BitmapUnlockedWatermark extends BitmapAllocator {
  protected override watermarkUnlocked(): boolean {
    return true;
  }
}

export const bitmapUnlockedWatermark: MutantEntry = {
  id: "bitmap-unlocked-watermark",
  revision: "bitmap-2017",
  description:
    "the LOW watermark check reads pcpu_nr_empty_pop_pages after the mutex is dropped, holding no lock",
  source:
    "syzbot 'KCSAN: data-race in pcpu_alloc_noprof / pcpu_balance_workfn (2)' (2024), the unlocked read of 6.12.117's pcpu_alloc_noprof; fixed by 'percpu: fix data race with pcpu_nr_empty_pop_pages', which reads it under pcpu_lock",
  expected: ["data-race"],
  create: () => new BitmapUnlockedWatermark(),
};
