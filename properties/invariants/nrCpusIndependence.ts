import { describeStep } from "../engine/step.ts";
import type { Invariant, Outcome } from "./invariant.ts";
import { pagesText, samePages } from "./stats.ts";

/**
 * nr-cpus-independence (relational): the same steps with the same possible set at NR_CPUS 8
 * and at NR_CPUS 512 get the same answers (success, or the same error) and hold the same
 * physical pages, per node and zone, after every step. (Virtual
 * space may differ: the 2005 blocks reserve NR_CPUS × 8 KiB; that is a metric, not this
 * invariant.) Judged on runs whose possible CPUs are all below 8.
 *
 * Source: the 2005 thread, "Doesn't need a NR_CPUS pointer array for each allocation" (against
 * 2.6.10's `void *ptrs[NR_CPUS]`), and Morton's "How much stackspace is this guy using on
 * 512-way?".
 * Cost: every step runs twice (a twin allocator at the other NR_CPUS), plus two `stats`.
 */
export const nrCpusIndependence: Invariant = {
  id: "nr-cpus-independence",
  title: "NR_CPUS 8 and 512 with the same possible set hold the same pages",
  source: 'LKML Jan 2005 "Doesn\'t need a NR_CPUS pointer array for each allocation"',
  cost: "a twin run: every step twice, plus O(nodes)",
  needs: [],
  relational: true,
  afterStep(ctx) {
    const twin = ctx.twin;
    if (twin === undefined) return undefined;
    if (!samePages(ctx.after, twin.after)) {
      return `NR_CPUS ${ctx.model.nrCpus} holds [${pagesText(ctx.after)}], NR_CPUS ${twin.nrCpus} holds [${pagesText(twin.after)}]`;
    }
    if (twin.outcome === undefined || sameAnswer(ctx.outcome, twin.outcome)) return undefined;
    return `${describeStep(ctx.step)} ${answer(ctx.outcome)} at NR_CPUS ${ctx.model.nrCpus}, ${answer(twin.outcome)} at NR_CPUS ${twin.nrCpus}`;
  },
};

/** Both succeeded, or both failed with the same error (pointers and addresses may differ). */
function sameAnswer(a: Outcome, b: Outcome): boolean {
  return a.ok ? b.ok : !b.ok && a.error === b.error;
}

function answer(o: Outcome): string {
  return o.ok ? "succeeds" : `fails with ${o.error}`;
}
