/**
 * What bitmap-2017 keeps with nothing live, by design (mm/percpu.c, v5.14 and later):
 *
 *   spare chunk   | unit cpu a | unit cpu b | ... |   pcpu_balance_free: "Destroy all free
 *                 |  populated pages stay      |       chunks except for one"
 *   metadata      struct pcpu_chunk, alloc_map, bound_map, md_blocks (pcpu_alloc_chunk)
 *   page array    pcpu_get_pages' struct page pointers, made at the first populate and kept
 *
 * pcpu_balance_populated keeps PCPU_EMPTY_POP_PAGES_HIGH (4) empty pages populated and makes a
 * chunk for them if none has room; pcpu_should_reclaim_chunk never isolates the only chunk
 * holding empty pages (the global count is its own), so the spare may stay fully populated.
 * The kernel's first chunk is left out of the model (bitmapAllocator.ts), so the pool is one
 * dynamic chunk: its pages for every possible CPU's unit, its vm area, and its four metadata
 * objects at one slab each at most.
 */
import { kmallocPagesAtMost } from "../../machine/index.ts";
import { spareChunksBound, type RetainedPool } from "../retainedPool.ts";
import { chunkMetaSizes, pageArrayBytes, PCPU_UNIT_PAGES, PCPU_UNIT_SIZE } from "./percpuVm.ts";

export const BITMAP_POOL: RetainedPool = {
  what: "pcpu_balance_free spares one fully free chunk ('Destroy all free chunks except for one') with its vm area, metadata and populated pages, and pcpu_balance_populated keeps PCPU_EMPTY_POP_PAGES_HIGH (4) empty pages populated, making that chunk if need be (mm/percpu.c); pcpu_get_pages' page array is kept once made (mm/percpu-vm.c)",
  bound(config) {
    // The chunk's metadata, and pcpu_get_pages' array, made at the first populate and kept.
    const meta =
      chunkMetaSizes(PCPU_UNIT_PAGES).reduce((s, b) => s + kmallocPagesAtMost(b), 0) +
      kmallocPagesAtMost(pageArrayBytes(config.possible.length));
    return spareChunksBound({
      chunks: 1,
      units: config.possible.length,
      unitBytes: PCPU_UNIT_SIZE,
      metaPages: meta,
      pageSize: PCPU_UNIT_SIZE / PCPU_UNIT_PAGES,
    });
  },
};
