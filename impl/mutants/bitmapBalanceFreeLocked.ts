import { BitmapAllocator } from "../revisions/index.ts";
import { pcpu_lock, type Boundary, type Lock, type Operation } from "../sections/index.ts";
import type { MutantEntry } from "./mutant.ts";

const keep = (locks: readonly Lock[] | undefined) => locks?.filter((l) => l !== pcpu_lock);

/**
 * pcpu_balance_free keeps pcpu_lock while it depopulates and destroys the free chunks, where
 * the kernel drops it around them (the function is entered with the lock held since the 5.14
 * rework): pcpu_depopulate_chunk, pcpu_destroy_chunk (vfree) and cond_resched() sleep, under a
 * spinlock. One operation at a time nothing else notices; the scheduler's sleep-in-atomic
 * check does, on the worker's first destruction.
 *
 *   T1 balance  [mutex, lock] 1 free chunk taken off │ depopulate (sleeps, lock still held) ✗
 */
class BitmapBalanceFreeLocked extends BitmapAllocator {
  protected override *balanceFreeSections(emptyOnly: boolean): Operation<void> {
    const inner = super.balanceFreeSections(emptyOnly);
    for (let next = inner.next(); next.done !== true; next = inner.next()) {
      const b: Boundary = next.value;
      const release = keep(b.release);
      const acquire = keep(b.acquire);
      const { release: _r, acquire: _a, ...rest } = b;
      yield {
        ...rest,
        ...(release !== undefined && release.length > 0 ? { release } : {}),
        ...(acquire !== undefined && acquire.length > 0 ? { acquire } : {}),
      };
    }
  }
}

export const bitmapBalanceFreeLocked: MutantEntry = {
  id: "bitmap-balance-free-locked",
  revision: "bitmap-2017",
  description:
    "pcpu_balance_free depopulates and destroys the free chunks without dropping pcpu_lock",
  source:
    "mm/percpu.c pcpu_balance_free (5.14 and later): entered with pcpu_lock held, it drops the lock around pcpu_depopulate_chunk, pcpu_destroy_chunk and cond_resched(), which sleep",
  expected: ["interleaving-safety"],
  create: () => new BitmapBalanceFreeLocked(),
};
