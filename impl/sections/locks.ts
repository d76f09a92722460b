/**
 * The locks a section can hold, named as the kernel names them. Three kinds:
 *
 *   mutex     sleeps while it waits; may not be taken in atomic context or under a spinlock
 *   spinlock  spins; whoever holds it may not sleep (no page allocation, no mutex)
 *   pseudo    excludes nothing: it stands for a caller's context (fs_reclaim, a filesystem's
 *             own lock held by the caller) and only feeds the lock-order check, as lockdep's
 *             lock_map_acquire does for reclaim
 */
export type LockKind = "mutex" | "spinlock" | "pseudo";

export interface Lock {
  readonly name: string;
  readonly kind: LockKind;
}

export function mutex(name: string): Lock {
  return { name, kind: "mutex" };
}

export function spinlock(name: string): Lock {
  return { name, kind: "spinlock" };
}

export function pseudoLock(name: string): Lock {
  return { name, kind: "pseudo" };
}

/** mm/percpu.c's two locks, and the reclaim context a page allocation may enter. */
export const pcpu_alloc_mutex: Lock = mutex("pcpu_alloc_mutex");
export const pcpu_lock: Lock = spinlock("pcpu_lock");
export const fs_reclaim: Lock = pseudoLock("fs_reclaim");
/** A filesystem's own lock, held by a caller that allocates with GFP_NOFS. */
export const fs_lock: Lock = pseudoLock("fs_lock");

/** Whether a lock excludes other threads (pseudo-locks do not). */
export function excludes(lock: Lock): boolean {
  return lock.kind !== "pseudo";
}
