import type { Invariant } from "./invariant.ts";

/**
 * linearizability: the outcome of every concurrent run (each call's pointer or error, and the
 * state after the run) is the outcome of some sequential order of the same calls that keeps
 * their real-time order (a call that returned before another began comes first). The
 * sequential order runs on the target itself: its calls drained one after the other on a fresh
 * allocator with the same set-up (runner/interleaveScenario.ts).
 *
 *   T1 ├── alloc 8 → 0x40 ──────┤
 *   T2        ├── free 0x0 ──┤          T2 then T1, or T1 then T2: one must give 0x40 and this state
 *
 * Source: Herlihy & Wing (1990); Wing & Gong's search with the memo of Lowe's "Testing for
 * linearizability" (2017), as qcheck-lin, PropEr's parallel commands and
 * quickcheck-state-machine check it; issue 17 §2.
 * Cost: runs of its own (runner/interleaveCheck.ts): per run, a search over the orders of at most
 * a few calls, each order's prefix replayed once on a fresh allocator.
 */
export const linearizability: Invariant = {
  id: "linearizability",
  title: "every concurrent run is explained by a sequential order of its calls",
  source: "Herlihy & Wing 1990; Lowe, 'Testing for linearizability' (2017); qcheck-lin",
  cost: "runs of its own: a search over the orders of a run's calls, each prefix replayed once",
  needs: ["threads"],
  ownRuns: "interleavings",
};
