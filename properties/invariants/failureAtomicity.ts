import { movedCopy } from "./copies.ts";
import type { Invariant } from "./invariant.ts";
import { heldBeyond } from "./stats.ts";

/**
 * failure-atomicity: an operation that fails with ENOMEM, at any page allocation inside it,
 * leaves every live object where it was (contents are judged by integrity after the same
 * step) and leaves pages and vmalloc space as they were; a design with a retained pool
 * (Target.pool) may keep what it built before the failure as pool (a new chunk, pages of an
 * earlier range), up to the pool's bound. Half an object is never kept: the chunk designs'
 * area bookkeeping is judged against the live objects by their white-box invariants at the
 * same step (the audit every ENOMEM triggers), and no-leak judges the pool at the end.
 *
 * Source: the 2.6.10 `while (--i >= 0) kfree(...)` rollback; the 2005 valloc_percpu unwind
 * (unmap, free slice pages, release the vm area, free the management pages) and its fix in
 * "[patch 11/11]" (clear each freed page pointer); mm/percpu.c pcpu_alloc freeing the area
 * when populating fails ("fail_unlock: pcpu_free_area").
 * Cost: two `stats` and a `ptr` per live copy per failed step: O(L·P).
 */
export const failureAtomicity: Invariant = {
  id: "failure-atomicity",
  title: "an ENOMEM at any page allocation leaves everything as it was (but the bounded pool)",
  source:
    "mm/slab.c 2.6.10 unwind_oom; LKML [patch 2/11] and [patch 11/11] (Sep 2005); mm/percpu.c pcpu_alloc",
  cost: "O(L·P) per failed step",
  needs: ["fail_page_alloc"],
  afterStep(ctx) {
    if (ctx.outcome.ok || ctx.outcome.error !== "ENOMEM") return undefined;
    const held = heldBeyond(ctx.before, ctx.after, ctx.pool);
    if (held !== undefined) return `the failed ${ctx.step.op} left a change: ${held}`;
    const moved = movedCopy(ctx);
    return moved === undefined ? undefined : `the failed ${ctx.step.op} moved a copy: ${moved}`;
  },
};
