import type { Invariant } from "./invariant.ts";
import { heldBeyond } from "./stats.ts";

/**
 * no-leak: after every object is freed and `reclaim` has run, the pages (per node and zone)
 * and the vmalloc space are back at the boot baseline, or, for a design with a retained pool
 * (a spare chunk, maps that never shrink: Target.pool), above it by no more than the pool's
 * bound, which does not grow with how many objects or chunks the run made. Judged at the end
 * of every run (after the implicit teardown) and after any `reclaim` step that finds no live
 * object.
 *
 *   boot ── run ── free all, reclaim ──► held − baseline ≤ pool bound (0 without a pool)
 *
 * Source: the 2.6.10 `while (--i >= 0)` unwind; the 2005 design releasing an empty block at
 * once; mm/percpu.c pcpu_reclaim (2.6.30) and pcpu_balance_free (today) destroying every
 * fully free chunk but one; the locking fix "percpu: fix pcpu_reclaim() locking" (2009).
 * What does not hold: memory returns to the baseline exactly for the chunk designs; their
 * spare is judged only in size (its bookkeeping by the areamap-* and bitmap-* invariants).
 * Cost: one `stats`: O(nodes).
 */
export const noLeak: Invariant = {
  id: "no-leak",
  title:
    "everything freed and reclaimed returns pages and vmalloc space to the baseline (plus the design's bounded pool)",
  source:
    "mm/slab.c 2.6.10 unwind_oom; the 2005 block release; mm/percpu.c pcpu_reclaim, pcpu_balance_free",
  cost: "O(nodes) after a reclaim with nothing live, and at the end of a run",
  needs: ["reclaim"],
  afterStep(ctx) {
    if (ctx.step.op !== "reclaim" || !ctx.outcome.ok) return undefined;
    if (ctx.model.liveObjects().length > 0) return undefined;
    const held = heldBeyond(ctx.baseline, ctx.after, ctx.pool);
    return held === undefined ? undefined : `with nothing live and reclaim run, ${held} since boot`;
  },
  atEnd(ctx) {
    const held = heldBeyond(ctx.baseline, ctx.final, ctx.pool);
    return held === undefined
      ? undefined
      : `with every object freed and reclaim run, ${held} since boot`;
  },
};
