/**
 * What an allocator offers to interleaved runs (issue 17, docs/interleavings.md): its calls as
 * atomic sections on one shared state, with the fields the kernel protects by a lock declared
 * for the data-race check.
 *
 *   allocator.boot(config) ── the set-up's allocations, run to completion ──┐
 *   allocator.concurrently() ──> ConcurrentSystem                           │
 *       start({ op: "alloc", ... })   T1 ─ section ─ section ─ … ─ result   │ one shared state,
 *       start({ op: "free", ptr })    T2 ─ section ─ … ─ result             │ other threads'
 *       start({ op: "balance" })      T3 ─ pcpu_balance_workfn's sections   ┘ sections between
 *
 * `concurrently` switches the allocator to the kernel's way of running deferred work: what
 * `pcpu_schedule_balance_work` asks for is queued (for a `balance` call, the worker's thread),
 * never run in place inside the section that scheduled it. The sequential checks never call it,
 * so their runs are unchanged.
 */
import type { Ptr } from "../allocator.ts";
import type { Result } from "../result.ts";
import type { Lock } from "./locks.ts";
import type { Operation } from "./section.ts";

/** A call one thread of an interleaved run makes. */
export type ConcurrentCall =
  /** alloc_percpu: GFP_KERNEL, or GFP_ATOMIC (`atomic`: served from populated pages only). */
  | {
      readonly op: "alloc";
      readonly size: number;
      readonly align: number;
      readonly atomic: boolean;
      /** GFP_NOFS: a caller inside a filesystem, holding its lock (the thread's context). */
      readonly nofs?: boolean;
    }
  /** free_percpu of a pointer the set-up allocated (each freed by at most one call). */
  | { readonly op: "free"; readonly ptr: Ptr }
  /** The balance worker's work function, once (pcpu_balance_workfn; a reclaim pass before it). */
  | { readonly op: "balance" };

/** A call's result: the pointer of an allocation, nothing for the rest, or the error. */
export type ConcurrentResult = Result<Ptr | undefined>;

/** A field the kernel protects by a lock: accesses to it are judged by the data-race check. */
export interface SharedField {
  /** The field as the kernel names it: "pcpu_nr_empty_pop_pages". */
  readonly field: string;
  /** The lock the kernel protects it by (for the message: any common lock orders the pair). */
  readonly protectedBy: Lock;
}

export interface ConcurrentSystem {
  /** The call as sections on the allocator's state; a bad request is one section's error. */
  start(call: ConcurrentCall): Operation<ConcurrentResult>;
  /** The fields whose accesses the sections declare (`Boundary.reads`, `writes`). */
  readonly shared: readonly SharedField[];
}

/** An allocator that runs its calls as sections: the `threads` capability. */
export interface ConcurrentAllocator {
  /** Called once, after boot and the set-up's calls, before any call is started. */
  concurrently(): ConcurrentSystem;
}

/** The call as the trace names it: "alloc 8", "alloc 8 atomic", "free 0x40", "balance". */
export function callLabel(call: ConcurrentCall): string {
  switch (call.op) {
    case "alloc":
      return `alloc ${call.size}${call.align > 4 ? ` align ${call.align}` : ""}${call.atomic ? " atomic" : ""}${call.nofs === true ? " nofs" : ""}`;
    case "free":
      return `free 0x${call.ptr.toString(16)}`;
    case "balance":
      return "balance";
  }
}
