import type { Invariant } from "./invariant.ts";

/**
 * between-sections: the design's structural invariants (each white-box invariant that can be
 * judged on a state alone, `atPoint`) hold after every section of an interleaved run at which
 * no thread holds pcpu_lock: the state another thread finds when it takes the lock. A failure's
 * message starts with the invariant that broke.
 *
 *   T1 [lock] area found, lock dropped │ ← judged here │ populate │ [lock] marked, lock dropped │ ← here
 *   T2                                  [lock] area freed, lock dropped │ ← and here
 *
 * Source: mm/percpu.c (what pcpu_lock protects: the chunk slots, the bitmaps, the hints and the
 * counts); issue 17 §2.
 * Cost: runs of its own (runner/interleaveCheck.ts): the design's detail read and judged after
 * each section where pcpu_lock is free.
 */
export const betweenSections: Invariant = {
  id: "between-sections",
  title: "the design's structural invariants hold between sections wherever pcpu_lock is free",
  source: "mm/percpu.c: what pcpu_lock protects",
  cost: "runs of its own: the detail judged after each section where pcpu_lock is free",
  needs: ["threads", "inspect"],
  ownRuns: "interleavings",
};
