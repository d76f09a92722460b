import { BitmapAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_alloc compares pcpu_nr_empty_pop_pages with PCPU_EMPTY_POP_PAGES_LOW using a value read
 * before the area was allocated and populated (a stale read, as an unlocked read can be): an
 * allocation that uses up the empty pages does not schedule the balance worker.
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
  source: "percpu: fix data race with pcpu_nr_empty_pop_pages (2024)",
  expected: ["bitmap-populated"],
  create: () => new BitmapStaleWatermark(),
};
