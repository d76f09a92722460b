import { atPointOf } from "./whiteBox.ts";
import { pcpu_alloc_mutex, pcpu_lock } from "../../impl/sections/index.ts";
import { conjunctNames, firstBroken, type Conjuncts, type Invariant } from "./invariant.ts";
import type { BitmapChunkDetail, BitmapDetail } from "../../impl/index.ts";
import { PAGE_SIZE } from "../../impl/machine/index.ts";
import { bitmapDetail, BITMAP_DESIGN, perDetail } from "./bitmapRuns.ts";

type Chunk = BitmapChunkDetail;
const popCount = (c: Chunk) => c.populated.reduce((a, b) => a + b, 0);
/** The populated pages whose md block is wholly free. */
function emptyPages(c: Chunk, d: BitmapDetail): number {
  // One md block per page (PCPU_BITMAP_BLOCK_SIZE = PAGE_SIZE).
  const blockBits = PAGE_SIZE / d.minAllocSize;
  return c.populated.filter((p, i) => p === 1 && c.blocks[i]?.contigHint === blockBits).length;
}

const PER_CHUNK: Conjuncts<[Chunk, BitmapDetail]> = {
  nr_populated: (c) =>
    c.nrPopulated !== popCount(c)
      ? `chunk ${c.id}: nr_populated ${c.nrPopulated}, but ${popCount(c)} populated bits are set`
      : undefined,
  nr_empty_pop_pages(c, d) {
    const empty = emptyPages(c, d);
    return c.nrEmptyPopPages !== empty
      ? `chunk ${c.id}: nr_empty_pop_pages ${c.nrEmptyPopPages}, but ${empty} populated pages are wholly free`
      : undefined;
  },
  mapped(c) {
    for (let page = 0; page < c.nrPages; page++) {
      const want = c.populated[page] === 1 ? c.units : 0;
      if (c.mapped[page] !== want) {
        return `chunk ${c.id} page ${page}: ${c.populated[page] === 1 ? "populated" : "not populated"} but mapped for ${c.mapped[page]} of ${c.units} possible CPUs`;
      }
    }
    return undefined;
  },
};

const TOTALS: Conjuncts<[BitmapDetail]> = {
  pcpu_nr_populated(d) {
    // The first chunk's static region counts too (pcpu_setup_first_chunk: PFN_DOWN(size_sum)).
    const populated = d.chunks.reduce((s, c) => s + popCount(c), 0) + d.staticPages;
    return d.nrPopulated !== populated
      ? `pcpu_nr_populated ${d.nrPopulated}, but the chunks have ${populated} populated pages`
      : undefined;
  },
  data_pages(d) {
    // The first-chunk regions live in boot memory, not in pages populate took.
    const populated = d.chunks.reduce((s, c) => s + (c.immutable ? 0 : popCount(c)), 0);
    const units = d.chunks[0]?.units ?? 0;
    return d.dataPages !== populated * units
      ? `the machine holds ${d.dataPages} data pages for the allocator, but ${populated} populated pages × ${units} units make ${populated * units}`
      : undefined;
  },
  pcpu_nr_empty_pop_pages(d) {
    // pcpu_update_empty_pages: neither an isolated chunk nor the reserved chunk counts.
    const counted = (c: Chunk) => !c.isolated && c.reserved !== true;
    const empty = d.chunks.reduce((s, c) => s + (counted(c) ? emptyPages(c, d) : 0), 0);
    return d.nrEmptyPopPages !== empty
      ? `pcpu_nr_empty_pop_pages ${d.nrEmptyPopPages}, but the chunks not isolated nor reserved have ${empty} empty populated pages`
      : undefined;
  },
  live_populated(d) {
    const byId = new Map(d.chunks.map((c) => [c.id, c]));
    for (const a of d.live) {
      const c = byId.get(a.chunk);
      const first = Math.floor(a.off / PAGE_SIZE);
      const last = Math.ceil((a.off + a.size) / PAGE_SIZE);
      for (let page = first; page < last; page++) {
        if (c?.populated[page] !== 1) {
          return `the live area at offset ${a.off} of chunk ${a.chunk} lies on page ${page}, which is not populated`;
        }
      }
    }
    return undefined;
  },
};

/** Judged at each allocation. */
const PER_ALLOCATION: Conjuncts<[BitmapDetail]> = {
  empty_pop_pages_low: (d) =>
    d.lastAlloc !== undefined &&
    d.lastAlloc.emptyAfter < d.emptyPopPagesLow &&
    !d.lastAlloc.scheduled
      ? `the allocation left ${d.lastAlloc.emptyAfter} empty populated pages (LOW is ${d.emptyPopPagesLow}) and did not schedule the balance worker`
      : undefined,
};

/**
 * bitmap-populated: the populated bitmaps and the counts agree: nr_populated is the set bits;
 * nr_empty_pop_pages is the populated pages whose md block is wholly free; pcpu_nr_populated
 * sums every chunk and pcpu_nr_empty_pop_pages every chunk not isolated; the data pages the
 * machine holds for the allocator are the populated pages times the units (a page taken and
 * never mapped, or one never freed, is a leak the retained pool's bound would hide); a
 * populated page is mapped for every possible CPU and a depopulated page for none (its
 * address faults); every
 * live area lies on populated pages; an allocation that left fewer than
 * PCPU_EMPTY_POP_PAGES_LOW empty pages scheduled the balance worker.
 *
 *   populated |1|1|0|0|1|0|0|0|    block contig = 1024 bits on pages 1 and 4
 *   mapped    |P|P|0|0|P|0|0|0|    -> nr_empty_pop_pages 2 (if the chunk is not isolated,
 *                                     pcpu_nr_empty_pop_pages counts them too)
 *
 * Source: mm/percpu.c pcpu_chunk_populated / pcpu_chunk_depopulated, pcpu_update_empty_pages,
 * pcpu_block_update_hint_alloc/_free (empty pages counted from the block hints), pcpu_alloc
 * (populate before use, the LOW check); mm/percpu-vm.c; the bitmap v2 changelog (the empty
 * count must not rise while populating for an allocation); "percpu: flush tlb in
 * pcpu_reclaim_populated()" (5.14); "percpu: fix data race with pcpu_nr_empty_pop_pages".
 * Cost: O(chunks × pages + live areas) per audit (every K steps and at the end of a run).
 */
export const bitmapPopulated: Invariant = {
  id: "bitmap-populated",
  title: "populated bitmaps, page mappings and the empty-page counts agree",
  source: "mm/percpu.c pcpu_chunk_populated, pcpu_update_empty_pages, pcpu_reclaim_populated",
  cost: "O(chunks × pages + live areas) per audit",
  needs: ["inspect"],
  designs: [BITMAP_DESIGN],
  conjuncts: conjunctNames(PER_CHUNK, TOTALS, PER_ALLOCATION),
  atPoint: atPointOf(bitmapDetail, (d) => judge(d)),
  // pcpu_alloc_area takes an unpopulated page's share off nr_empty_pop_pages at once; the
  // populate of the same allocation (under pcpu_alloc_mutex) adds it back.
  atPointUnless: [pcpu_lock, pcpu_alloc_mutex],
  afterStep(ctx) {
    // The counts are a whole-structure check, judged at the full audits (every K steps and at
    // the end); the LOW watermark is a property of each allocation, judged at each.
    const allocated = ctx.step.op === "alloc" && ctx.outcome.ok;
    if (!ctx.scope.audit && !allocated) return undefined;
    const d = bitmapDetail(ctx.observe);
    if (typeof d === "string") return d;
    if (ctx.scope.audit) {
      const state = perDetail(d, "populated", () => judge(d));
      if (state !== undefined) return state;
    }
    return allocated ? firstBroken(PER_ALLOCATION, d) : undefined;
  },
};

/** The checks that depend on the state alone. */
function judge(d: BitmapDetail): string | undefined {
  for (const c of d.chunks) {
    const broken = firstBroken(PER_CHUNK, c, d);
    if (broken !== undefined) return broken;
  }
  return firstBroken(TOTALS, d);
}
