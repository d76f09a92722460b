import type { AreamapDetail } from "../../impl/index.ts";
import { PAGE_SIZE } from "../../impl/machine/index.ts";
import { conjunctNames, firstBroken, type Conjuncts, type StepContext } from "./invariant.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

const flagsOf = (c: AreamapDetail["chunks"][number]) => c.populated.reduce((s, p) => s + p, 0);

const CONJUNCTS: Conjuncts<[AreamapDetail, StepContext]> = {
  populated_pages({ chunks }) {
    const c = chunks.find((x) => flagsOf(x) !== x.populatedPages);
    return c === undefined
      ? undefined
      : `chunk ${c.id} counts ${c.populatedPages} populated pages, its flags ${flagsOf(c)}`;
  },
  data_pages({ chunks, dataPages, unitOffsets }) {
    // One unit, and one unit offset, per possible CPU (pcpu_unit_offsets).
    const possibleCpus = unitOffsets.length;
    const flags = chunks.reduce((s, c) => s + flagsOf(c), 0);
    return dataPages !== flags * possibleCpus
      ? `the machine holds ${dataPages} unit pages for the allocator, but ${flags} populated page indexes × ${possibleCpus} possible CPUs make ${flags * possibleCpus}`
      : undefined;
  },
  live_on_populated({ chunks, unitSize }, ctx) {
    for (const o of ctx.model.liveObjects()) {
      const c = chunks.find((x) => o.ptr >= x.base && o.ptr < x.base + unitSize);
      if (c === undefined) continue; // areamap-live-areas names it
      const off = o.ptr - c.base;
      for (let p = Math.floor(off / PAGE_SIZE); p < Math.ceil((off + o.size) / PAGE_SIZE); p++) {
        if (c.populated[p] !== 1) {
          return `${o.name} at offset ${off} of chunk ${c.id} lies on page ${p}, which is not populated`;
        }
      }
    }
    return undefined;
  },
};

/**
 * areamap-populated: the unit pages the machine holds for the allocator are exactly the
 * populated ones, one per possible CPU for each populated page index of each chunk, and every
 * live object lies on populated pages. A page taken and never mapped (a populate that failed
 * half way and kept what it took), or a chunk freed with its pages still allocated, shows here
 * at the step that did it, where no-leak sees it only past the retained pool's bound.
 *
 *   chunk 0  populated |1|1|1|1|1|1|1|1|   chunk 1  |1|1|0|0|0|0|0|0|
 *   machine pages held for percpu data = (8 + 2) × possible CPUs
 *
 * Source: mm/percpu.c of 2.6.30: pcpu_populate_chunk (pcpu_alloc_pages with its err_free
 * unwind, then pcpu_map_pages and the populated bitmap), pcpu_depopulate_chunk, and
 * pcpu_reclaim freeing a chunk only after depopulating it.
 * Cost: O(chunks × unit pages + live objects) per audit.
 */
export const areamapPopulated = whiteBoxInvariant<AreamapDetail>({
  id: "areamap-populated",
  title: "the data pages held are the populated ones, and live objects lie on them",
  source: "mm/percpu.c 2.6.30: pcpu_populate_chunk, pcpu_depopulate_chunk, pcpu_reclaim",
  cost: "O(chunks × unit pages + live objects) per audit",
  design: "areamap-2009",
  conjuncts: conjunctNames(CONJUNCTS),
  judge: (detail, ctx) => firstBroken(CONJUNCTS, detail, ctx),
});
