import type { BitmapDetail } from "../../impl/index.ts";
import { conjunctNames, firstBroken, type Conjuncts, type Invariant } from "./invariant.ts";
import { bitmapDetail, BITMAP_DESIGN } from "./bitmapRuns.ts";

const freeChunks = (d: BitmapDetail) => d.chunks.filter((c) => c.freeBytes === d.unitSize);

const CONJUNCTS: Conjuncts<[BitmapDetail]> = {
  one_free_chunk(d) {
    // Only the chunk the run spared, made or reintegrated survives it; beside the free
    // slot's first, only with empty populated pages (pcpu_balance_free(true)).
    const free = freeChunks(d);
    const extra = free.filter(
      (c, i) => !d.workerKept.includes(c.id) || (i > 0 && c.nrEmptyPopPages === 0),
    );
    return extra.length > 0
      ? `${free.length} fully free chunks (${free.map((c) => `chunk ${c.id} on slot ${c.slot}`).join(", ")}) after the worker ran; expected the spare, and besides it only chunks the run made or reintegrated that hold empty populated pages`
      : undefined;
  },
  free_slot(d) {
    const spare = freeChunks(d)[0];
    return spare !== undefined && spare.slot !== d.freeSlot
      ? `the fully free chunk ${spare.id} is on slot ${spare.slot}, expected the free slot ${d.freeSlot}`
      : undefined;
  },
};

/**
 * bitmap-one-free-chunk: after the balance worker has run (`reclaim`), at most one chunk is
 * fully free, the spare, and it is on the free slot; besides it, only a chunk that run made
 * (pcpu_balance_populated, after an atomic failure or below PCPU_EMPTY_POP_PAGES_HIGH) or
 * reintegrated fully free (pcpu_reclaim_populated puts it at the free slot's head after the
 * spare was chosen) may remain, and only while it holds empty populated pages
 * (pcpu_balance_free(true) destroys the others).
 *
 *   free slot: [ spare ]  ->  every other fully free chunk depopulated and destroyed
 *
 * Source: mm/percpu.c pcpu_balance_free ("There's no reason to keep around multiple unused
 * chunks and VM areas can be scarce. Destroy all free chunks except for one."), and
 * pcpu_reclaim_populated, which reintegrates a chunk that became fully free.
 * Cost: O(chunks) per reclaim step.
 */
export const bitmapOneFreeChunk: Invariant = {
  id: "bitmap-one-free-chunk",
  title: "after the worker runs, at most one fully free chunk remains",
  source: "mm/percpu.c pcpu_balance_free",
  cost: "O(chunks) per reclaim step",
  needs: ["inspect", "reclaim"],
  designs: [BITMAP_DESIGN],
  conjuncts: conjunctNames(CONJUNCTS),
  afterStep(ctx) {
    if (ctx.step.op !== "reclaim" || !ctx.outcome.ok) return undefined;
    const d = bitmapDetail(ctx.observe);
    if (typeof d === "string") return d;
    return firstBroken(CONJUNCTS, d);
  },
};
