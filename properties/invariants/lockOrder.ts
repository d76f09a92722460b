import type { Invariant } from "./invariant.ts";

/**
 * lock-order: every "lock B taken while A is held" edge, across all the runs of a check (the
 * caller's context counted as a held lock: a filesystem's lock, fs_reclaim around a page
 * allocation that may enter reclaim), forms a graph without a cycle, as lockdep requires.
 *
 *   pcpu_alloc_mutex ──> fs_reclaim ──> fs lock ──> pcpu_alloc_mutex    a cycle: a finding,
 *   (populate under the mutex)  (reclaim)   (a GFP_NOFS caller)          each edge where first seen
 *
 * Source: Documentation/locking/lockdep-design.rst; the cycle opened by "mm, percpu: do not
 * consider sleepable allocations atomic" (2025) and Kaitao Cheng's "mm/percpu: avoid IO/FS
 * reclaim in backing allocations" (2026).
 * Cost: runs of its own (runner/interleaveCheck.ts): the edges of every run, one graph search.
 */
export const lockOrder: Invariant = {
  id: "lock-order",
  title: "the locks are taken in one order across all runs (no lockdep cycle)",
  source:
    "Documentation/locking/lockdep-design.rst; 'mm/percpu: avoid IO/FS reclaim in backing allocations' (2026)",
  cost: "runs of its own: every run's lock edges, one cycle search",
  needs: ["threads"],
  ownRuns: "interleavings",
};
