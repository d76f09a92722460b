import { BitmapAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_alloc compares pcpu_nr_empty_pop_pages with PCPU_EMPTY_POP_PAGES_LOW using a value read
 * before the area was allocated and populated: the stale value an unlocked read may see while
 * another CPU's allocation or free races it. An allocation that uses up the empty pages then
 * does not schedule the balance worker.
 *
 * Which kernel reads what: 6.12.117 (and bitmap-2017) reads the count after populate, with no
 * lock held, after mutex_unlock; run to completion that is the current value. The fix of the
 * 2024 KCSAN report moves the read under pcpu_lock, before populate. Neither reads the value
 * this mutant reads: it is the race's effect, made deterministic.
 */
class BitmapStaleWatermark extends BitmapAllocator {
  protected override watermarkCount(atEntry: number): number {
    return atEntry;
  }
}

export const bitmapStaleWatermark: MutantEntry = {
  id: "bitmap-stale-watermark",
  revision: "bitmap-2017",
  description:
    "the LOW watermark check reads pcpu_nr_empty_pop_pages as it was before the allocation, so the worker is not scheduled",
  source:
    "the unlocked read of pcpu_nr_empty_pop_pages in pcpu_alloc (6.12.117 reads it after populate, outside pcpu_lock) as the race of syzbot's 2024 report 'KCSAN: data-race in pcpu_alloc_noprof / pcpu_balance_workfn' can make it read: a value from before the allocation; fixed by 'percpu: fix data race with pcpu_nr_empty_pop_pages', which reads it under pcpu_lock",
  expected: ["bitmap-populated"],
  create: () => new BitmapStaleWatermark(),
};
