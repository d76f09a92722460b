/**
 * Operations written as atomic sections (issue 17, docs/interleavings.md): the vocabulary a
 * revision's code uses to say where the kernel drops a lock, takes one, sleeps or schedules
 * work. The allocators' code yields these boundaries; properties/interleave runs them between
 * other threads' sections and judges the runs. The sequential path is `drain`.
 */
export {
  excludes,
  fs_lock,
  fs_reclaim,
  mutex,
  pcpu_alloc_mutex,
  pcpu_lock,
  pseudoLock,
  spinlock,
} from "./locks.ts";
export type { Lock, LockKind } from "./locks.ts";
export { drain, LockMisuse, sectionText } from "./section.ts";
export type { Boundary, Operation } from "./section.ts";
export { callLabel } from "./concurrent.ts";
export type {
  ConcurrentAllocator,
  ConcurrentCall,
  ConcurrentResult,
  ConcurrentSystem,
  SharedField,
} from "./concurrent.ts";
