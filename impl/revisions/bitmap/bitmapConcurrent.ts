/**
 * bitmap-2017's calls for interleaved runs (the `threads` capability, impl/sections/concurrent.ts):
 * alloc and free as pcpu_alloc's and free_percpu's sections, and the balance worker's thread
 * running pcpu_balance_workfn once. The field judged for data races is the one the kernel
 * protects by pcpu_lock and reads without it in one place (the LOW watermark check of
 * pcpu_alloc, syzbot's 2024 KCSAN report "data-race in pcpu_alloc_noprof / pcpu_balance_workfn").
 *
 *   T1 alloc ─ [mutex, lock] area found, lock dropped ─ populate ─ [lock] marked ─ mutex dropped
 *   T2 free  ─ [lock] area freed, lock dropped
 *   T3 balance ─ [mutex, lock] … [lock dropped around each (de)population] … locks dropped
 */
import type { Ptr } from "../../allocator.ts";
import { ok, type Result } from "../../result.ts";
import {
  pcpu_lock,
  type ConcurrentCall,
  type ConcurrentResult,
  type Operation,
  type SharedField,
} from "../../sections/index.ts";

/** The fields whose accesses bitmap-2017's sections declare. */
export const BITMAP_SHARED: readonly SharedField[] = [
  { field: "pcpu_nr_empty_pop_pages", protectedBy: pcpu_lock },
];

/** What the calls need of the allocator (BitmapAllocator and its kernel configuration). */
export interface BitmapSections {
  allocOperation(
    size: number,
    align: number,
    options?: { atomic?: boolean; gfp?: "nofs" },
  ): Operation<ConcurrentResult>;
  freeOperation(ptr: Ptr): Operation<Result<void>>;
  balanceOperation(): Operation<void>;
}

/** One call as sections, its result in the common form (a pointer, or nothing, or the error). */
export function* bitmapCall(a: BitmapSections, call: ConcurrentCall): Operation<ConcurrentResult> {
  switch (call.op) {
    case "alloc":
      return yield* a.allocOperation(call.size, call.align, {
        atomic: call.atomic,
        ...(call.nofs === true ? { gfp: "nofs" as const } : {}),
      });
    case "free": {
      const r = yield* a.freeOperation(call.ptr);
      return r.ok ? ok(undefined) : r;
    }
    case "balance":
      yield* a.balanceOperation();
      return ok(undefined);
  }
}
