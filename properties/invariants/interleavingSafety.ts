import type { Invariant } from "./invariant.ts";

/** The conjuncts of interleaving-safety: what the scheduler itself sees. */
export const SAFETY_CONJUNCTS = [
  "deadlock",
  "lock-misuse",
  "sleep-in-atomic",
  "oops",
  "progress",
] as const;

/**
 * interleaving-safety: every interleaved run ends, and on the way
 *   deadlock         not every unfinished thread waits for a lock another holds;
 *   lock-misuse      no lock is released by a thread that does not hold it, none kept on return;
 *   sleep-in-atomic  no mutex is taken and no section sleeps under a spinlock or from an atomic
 *                    caller (GFP_ATOMIC, a free from an interrupt);
 *   oops             no section throws (a page freed twice, a chunk used after it was freed);
 *   progress         the threads finish within the scheduler's bound (no livelock).
 * A failure's message starts with the conjunct that broke.
 *
 * Source: mm/percpu.c's locking comment (pcpu_alloc_mutex, pcpu_lock), might_sleep() and
 * lockdep's checks; issue 17 §1.
 * Cost: runs of its own (runner/interleaveCheck.ts): part of running each schedule.
 */
export const interleavingSafety: Invariant = {
  id: "interleaving-safety",
  title: "interleaved runs end, without deadlock, lock misuse, sleeping in atomic context or oops",
  source: "mm/percpu.c locking (pcpu_alloc_mutex, pcpu_lock); might_sleep(); lockdep",
  cost: "runs of its own: part of running each schedule",
  needs: ["threads"],
  conjuncts: SAFETY_CONJUNCTS,
  ownRuns: "interleavings",
};
