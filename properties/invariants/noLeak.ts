import type { Invariant } from "./invariant.ts";
import { memoryChange } from "./stats.ts";

/**
 * no-leak: after every object is freed and `reclaim` has run, the pages (per node and zone)
 * and the vmalloc space are back at the boot baseline. Judged at the end of every run (after
 * the implicit teardown) and after any `reclaim` step that finds no live object.
 *
 * Source: the 2.6.10 `while (--i >= 0)` unwind; the 2005 design releasing an empty block at
 * once; mm/percpu.c pcpu_balance_free destroying fully free chunks; the locking fix "percpu:
 * fix pcpu_reclaim() locking" (2009).
 * Cost: one `stats`: O(nodes).
 */
export const noLeak: Invariant = {
  id: "no-leak",
  title: "everything freed and reclaimed returns pages and vmalloc space to the baseline",
  source: "mm/slab.c 2.6.10 unwind_oom; the 2005 block release; mm/percpu.c pcpu_balance_free",
  cost: "O(nodes) after a reclaim with nothing live, and at the end of a run",
  needs: ["reclaim"],
  afterStep(ctx) {
    if (ctx.step.op !== "reclaim" || !ctx.outcome.ok) return undefined;
    if (ctx.model.liveObjects().length > 0) return undefined;
    const change = memoryChange(ctx.baseline, ctx.after);
    return change === undefined
      ? undefined
      : `with nothing live and reclaim run, ${change} since boot`;
  },
  atEnd(ctx) {
    const change = memoryChange(ctx.baseline, ctx.final);
    return change === undefined
      ? undefined
      : `with every object freed and reclaim run, ${change} since boot`;
  },
};
