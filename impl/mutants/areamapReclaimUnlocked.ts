import { AreamapAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_reclaim drops pcpu_alloc_mutex together with pcpu_lock, before it depopulates and frees
 * the chunks it took off the last slot, as the code before "percpu: fix pcpu_reclaim() locking"
 * did (and 2.6.30 itself): chunk->page, which the mutex protects, is then written with no lock
 * while an allocation populates pages under the mutex.
 *
 *   T1 balance  [mutex, lock] chunk 2 taken off, locks dropped ─────────── depopulate chunk 2
 *   T2 alloc 8                     [mutex, lock] area found, lock dropped ─ populate │
 *                                  (chunk->page written by both, no lock in common)
 *
 * Sequentially it is the revision: one operation at a time, nothing runs between the two
 * sections; only an interleaved run (its data-race check) tells them apart.
 */
class AreamapReclaimUnlocked extends AreamapAllocator {
  protected override reclaimKeepsMutex(): boolean {
    return false;
  }
}

export const areamapReclaimUnlocked: MutantEntry = {
  id: "areamap-reclaim-unlocked",
  revision: "areamap-2009",
  description:
    "pcpu_reclaim drops pcpu_alloc_mutex before pcpu_depopulate_chunk and free_pcpu_chunk: chunk->page is written with no lock while an allocation populates under the mutex",
  source:
    "971f3918a5a8 'percpu: fix pcpu_reclaim() locking' (Tejun Heo, 2009, 2.6.32): pcpu_depopulate_chunk uses the pages array and bitmap of pcpu_get_pages_and_bitmap, protected by pcpu_alloc_mutex; releasing the mutex first led to double frees",
  expected: ["data-race"],
  create: () => new AreamapReclaimUnlocked(),
};
