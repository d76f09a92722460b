import { movedCopy } from "./copies.ts";
import type { Invariant } from "./invariant.ts";
import { memoryChange } from "./stats.ts";

/**
 * failure-atomicity: an operation that fails with ENOMEM, at any page allocation inside it,
 * leaves pages, vmalloc space and every live object as they were (contents are judged by
 * integrity after the same step).
 *
 * Source: the 2.6.10 `while (--i >= 0) kfree(...)` rollback; the 2005 valloc_percpu unwind
 * (unmap, free slice pages, release the vm area, free the management pages) and its fix in
 * "[patch 11/11]" (clear each freed page pointer); mm/percpu.c pcpu_alloc freeing the area
 * when populating fails.
 * Cost: two `stats` and a `ptr` per live copy per failed step: O(L·P).
 */
export const failureAtomicity: Invariant = {
  id: "failure-atomicity",
  title: "an ENOMEM at any page allocation leaves everything as it was",
  source:
    "mm/slab.c 2.6.10 unwind_oom; LKML [patch 2/11] and [patch 11/11] (Sep 2005); mm/percpu.c pcpu_alloc",
  cost: "O(L·P) per failed step",
  needs: ["fail_page_alloc"],
  afterStep(ctx) {
    if (ctx.outcome.ok || ctx.outcome.error !== "ENOMEM") return undefined;
    const change = memoryChange(ctx.before, ctx.after);
    if (change !== undefined) return `the failed ${ctx.step.op} left a change: ${change}`;
    const moved = movedCopy(ctx);
    return moved === undefined ? undefined : `the failed ${ctx.step.op} moved a copy: ${moved}`;
  },
};
