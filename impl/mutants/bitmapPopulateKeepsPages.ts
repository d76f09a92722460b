import { BitmapAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_alloc_pages without its unwind: a page allocation that fails half way leaves the pages
 * taken for the CPUs and pages before it allocated and unmapped, held by nobody. The failed
 * allocation still returns ENOMEM and frees its area, and what it kept is less than the
 * retained pool's bound: failure-atomicity alone would pass it.
 *
 *   populate [2, 4): cpu 0 pages 2, 3 taken; cpu 1 page 2 ENOMEM  ->  two pages lost
 */
class BitmapPopulateKeepsPages extends BitmapAllocator {
  protected override unwindPages(_pfns: readonly number[]): void {}
}

export const bitmapPopulateKeepsPages: MutantEntry = {
  id: "bitmap-populate-keeps-pages",
  revision: "bitmap-2017",
  description:
    "pcpu_alloc_pages returns -ENOMEM without freeing the pages it took before the failure",
  source:
    "mm/percpu-vm.c pcpu_alloc_pages: 'err: while (--i >= page_start) __free_page(pages[pcpu_page_idx(cpu, i)]); for_each_possible_cpu(tcpu) { ... }'",
  expected: ["bitmap-populated"],
  create: () => new BitmapPopulateKeepsPages(),
};
