import { BitmapAllocator } from "../revisions/index.ts";
import { fs_reclaim, type Lock } from "../sections/index.ts";
import type { MutantEntry } from "./mutant.ts";

const FS_RECLAIM: readonly Lock[] = [fs_reclaim];

/**
 * The backing allocations made under pcpu_alloc_mutex (populating pages, in pcpu_alloc and in
 * the balance worker) may enter filesystem reclaim, as 6.12.117's GFP_KERNEL ones do, where
 * bitmap-2017 applies the rule of Kaitao Cheng's 2026 series (no IO and FS reclaim there). Since
 * "mm, percpu: do not consider sleepable allocations atomic" (2025), a GFP_NOFS caller inside a
 * filesystem takes pcpu_alloc_mutex, and the three edges close a cycle:
 *
 *   fs_lock ──(a GFP_NOFS caller takes the mutex)──> pcpu_alloc_mutex
 *   pcpu_alloc_mutex ──(populate under it may enter reclaim)──> fs_reclaim
 *   fs_reclaim ──(reclaim writes back through the filesystem)──> fs_lock
 */
class BitmapBackingFsReclaim extends BitmapAllocator {
  protected override backingTouch(): readonly Lock[] {
    return FS_RECLAIM;
  }
}

export const bitmapBackingFsReclaim: MutantEntry = {
  id: "bitmap-backing-fs-reclaim",
  revision: "bitmap-2017",
  description:
    "pages populated under pcpu_alloc_mutex are allocated with GFP_KERNEL, which may enter filesystem reclaim",
  source:
    "the lock cycle pcpu_alloc_mutex → fs_reclaim → a filesystem lock → pcpu_alloc_mutex opened by 'mm, percpu: do not consider sleepable allocations atomic' (2025), addressed by Kaitao Cheng, 'mm/percpu: avoid IO/FS reclaim in backing allocations' (2026)",
  expected: ["lock-order"],
  create: () => new BitmapBackingFsReclaim(),
};
