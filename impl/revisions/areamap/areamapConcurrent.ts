/**
 * areamap-2009's calls for interleaved runs (impl/sections/concurrent.ts): each call's sections
 * on the one allocator's state, with the fields 2.6.30 protects declared for the data-race
 * check ("Synchronization rules" in mm/percpu.c of 2.6.30):
 *
 *   pcpu_slot     the chunk slot lists          pcpu_lock
 *   chunk->map    the chunks' area maps         pcpu_lock
 *   chunk->page   the chunks' page arrays       pcpu_alloc_mutex  (written by populate and
 *                                                                  depopulate)
 *
 * chunk->page is one field for every chunk, as the rule names it: judged per chunk, pcpu_reclaim
 * depopulating an unlinked chunk without the mutex (2.6.30's order) touches no array another
 * thread reaches; from ce3141a277ff ("percpu: drop pcpu_chunk->page[]", 2.6.32) populate and
 * depopulate share one page array and bitmap (pcpu_get_pages_and_bitmap), and that order is the
 * double free 971f3918a5a8 ("percpu: fix pcpu_reclaim() locking") fixed.
 *
 * 2.6.30 has no atomic percpu allocation: pcpu_alloc takes no gfp and allocates with
 * GFP_KERNEL ("Might sleep"), so an `atomic` call is EINVAL, with no section.
 */
import type { Ptr } from "../../allocator.ts";
import { err, type Result } from "../../result.ts";
import {
  pcpu_alloc_mutex,
  pcpu_lock,
  type ConcurrentCall,
  type ConcurrentResult,
  type ConcurrentSystem,
  type Operation,
  type SharedField,
} from "../../sections/index.ts";
import type { AreamapSectionsAllocator } from "./areamapSections.ts";

/** The shared fields the sections declare, named as mm/percpu.c names them. */
export const PCPU_SLOT = "pcpu_slot";
export const CHUNK_MAP = "chunk->map";
export const CHUNK_PAGE = "chunk->page";

export const AREAMAP_SHARED: readonly SharedField[] = [
  { field: PCPU_SLOT, protectedBy: pcpu_lock },
  { field: CHUNK_MAP, protectedBy: pcpu_lock },
  { field: CHUNK_PAGE, protectedBy: pcpu_alloc_mutex },
];

/** The operations a ConcurrentSystem needs of the allocator. */
type Sections = Pick<
  AreamapSectionsAllocator,
  "allocOperation" | "freeOperation" | "reclaimOperation"
>;

export function areamapConcurrentSystem(a: Sections): ConcurrentSystem {
  return {
    shared: AREAMAP_SHARED,
    start(call: ConcurrentCall): Operation<ConcurrentResult> {
      switch (call.op) {
        case "alloc":
          return call.atomic ? atomicRefused() : widen(a.allocOperation(call.size, call.align));
        case "free":
          return widen(a.freeOperation(call.ptr));
        case "balance":
          return done(a.reclaimOperation());
      }
    },
  };
}

// eslint-disable-next-line require-yield
function* atomicRefused(): Operation<ConcurrentResult> {
  return err(
    "EINVAL",
    "alloc: 2.6.30 has no atomic percpu allocation (pcpu_alloc takes no gfp and always allocates with GFP_KERNEL)",
  );
}

function* widen<T extends Ptr | void>(op: Operation<Result<T>>): Operation<ConcurrentResult> {
  const r = yield* op;
  return r.ok ? { ok: true, value: r.value === undefined ? undefined : r.value } : r;
}

function* done(op: Operation<void>): Operation<ConcurrentResult> {
  yield* op;
  return { ok: true, value: undefined };
}
