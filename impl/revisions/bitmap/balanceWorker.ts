/**
 * pcpu_balance_workfn (mm/percpu.c, 5.14 and later, with Roman Gushchin's partial depopulation
 * <20210408035736.883861-1-guro@fb.com>): the worker that keeps the chunk pool in shape.
 *
 *   pcpu_balance_free(false)    free every fully free chunk but the first on the free list
 *   pcpu_reclaim_populated()    for each chunk on the to_depopulate list: depopulate its empty
 *                               populated pages from the last page down, stop when it has none
 *                               left or the global empty count is below HIGH (then
 *                               reintegrate it); one TLB flush per chunk; a fully free chunk is
 *                               reintegrated, any other is sidelined
 *   pcpu_balance_populated()    populate until PCPU_EMPTY_POP_PAGES_HIGH (4) empty pages exist
 *                               (all 4 after an atomic failure), from slot
 *                               pcpu_size_to_slot(PAGE_SIZE) up, the first chunk with
 *                               unpopulated pages of each slot; none left: create a chunk, retry
 *   pcpu_balance_free(true)     free the fully free chunks with no empty populated page
 *
 * The kernel runs the worker from a workqueue when pcpu_schedule_balance_work() is called
 * (an allocation leaving fewer than PCPU_EMPTY_POP_PAGES_LOW (2) empty pages, an atomic
 * failure, a free leaving a second fully free chunk, a chunk isolated for depopulation). The
 * model runs it right there, at the end of that operation, and on `reclaim`: the same work at
 * the point it was asked for, deterministically. Its page allocations are best effort
 * (__GFP_NORETRY): a failure ends the populating, never the operation.
 *
 * Written as atomic sections (impl/sections/) that end where 6.12 drops or retakes pcpu_lock
 * or calls cond_resched(): the worker holds pcpu_alloc_mutex throughout and pcpu_lock except
 * around each depopulation, TLB flush, population, chunk creation and destruction.
 * `balanceWorkfn` drains them; an interleaved run runs a free (which takes only pcpu_lock) in
 * between.
 */
import { PCPU_UNIT_SIZE, PercpuVmAllocator } from "./percpuVm.ts";
import type { PcpuChunk } from "./pcpuChunk.ts";
import { PCPU_BITMAP_BLOCK_BITS } from "./chunkMaps.ts";
import { ChunkSlots } from "./chunkSlots.ts";
import { PAGE_SIZE } from "../../machine/index.ts";
import {
  drain,
  pcpu_alloc_mutex,
  pcpu_lock,
  type Boundary,
  type Lock,
  type Operation,
} from "../../sections/index.ts";

export const PCPU_EMPTY_POP_PAGES_LOW = 2;
export const PCPU_EMPTY_POP_PAGES_HIGH = 4;

/** The lock lists of mm/percpu.c's sections (here and in bitmapAllocator.ts). */
export const LOCK: readonly Lock[] = [pcpu_lock];
export const MUTEX: readonly Lock[] = [pcpu_alloc_mutex];
export const MUTEX_AND_LOCK: readonly Lock[] = [pcpu_alloc_mutex, pcpu_lock];
/**
 * pcpu_nr_empty_pop_pages, as the data-race check names it: the sections that read or change
 * it under pcpu_lock say so (the count of what a section did since it took the lock).
 */
export const NR_EMPTY: readonly string[] = ["pcpu_nr_empty_pop_pages"];
const WORK_STARTS: Boundary = { section: "balance work starts", acquire: MUTEX_AND_LOCK };
const WORK_ENDS: Boundary = {
  section: "balance work done, locks dropped",
  release: [pcpu_lock, pcpu_alloc_mutex],
  writes: NR_EMPTY,
};

export abstract class PcpuBalanceAllocator extends PercpuVmAllocator {
  protected slots = new ChunkSlots(PCPU_UNIT_SIZE);
  /** pcpu_atomic_alloc_failed. */
  protected atomicAllocFailed = false;
  /** Times the worker ran (white-box view). */
  protected workerRuns = 0;

  /**
   * Chunks the last worker run spared (the free slot's first, in pcpu_balance_free(false)),
   * made (pcpu_balance_populated) or reintegrated fully free (pcpu_reclaim_populated): the
   * only fully free chunks it may leave; pcpu_balance_free(true) then spares the free slot's
   * first and those holding empty populated pages.
   */
  protected workerKept = new Set<number>();

  /**
   * The locks a backing allocation under pcpu_alloc_mutex touches (populating pages, creating
   * a chunk): fs_reclaim where it may enter filesystem reclaim. 6.12.117 allocates them with
   * GFP_KERNEL (bitmap-2017-kernel); Kaitao Cheng's "mm/percpu: avoid IO/FS reclaim in backing
   * allocations" (2026) makes them without IO and FS reclaim, as bitmap-2017 does: none.
   */
  protected backingTouch(): readonly Lock[] | undefined {
    return undefined;
  }

  /** pcpu_balance_workfn, run to its end. */
  protected balanceWorkfn(): void {
    drain(this.balanceWorkSections());
  }

  /** The balance work as a worker thread of an interleaved run runs it (properties/interleave). */
  balanceOperation(): Operation<void> {
    return this.balanceWorkSections();
  }

  /** pcpu_balance_workfn as sections: [mutex, lock] the four passes, both locks dropped. */
  protected *balanceWorkSections(): Operation<void> {
    yield WORK_STARTS;
    this.workerRuns++;
    this.workerKept = new Set();
    yield* this.balanceFreeSections(false);
    yield* this.reclaimPopulatedSections();
    yield* this.balancePopulatedSections();
    yield* this.balanceFreeSections(true);
    yield WORK_ENDS;
  }

  /**
   * pcpu_balance_free (pcpu_lock held on entry and exit): destroy the fully free chunks but
   * the first (with empty_only, only those without empty populated pages), each depopulated and
   * destroyed with the lock dropped.
   */
  protected *balanceFreeSections(emptyOnly: boolean): Operation<void> {
    const freeList = this.slots.lists[this.slots.freeSlot] as PcpuChunk[];
    const spare = freeList[0];
    if (spare !== undefined && !emptyOnly) this.workerKept.add(spare.id);
    const toFree: PcpuChunk[] = [];
    for (const chunk of [...freeList]) {
      this.work.loopIterations++;
      if (chunk === freeList[0]) continue;
      if (!emptyOnly || chunk.nrEmptyPopPages === 0) {
        this.slots.remove(chunk);
        toFree.unshift(chunk); // list_move: to the head of to_free
      }
    }
    if (toFree.length === 0) return;
    yield {
      section: "%d free chunks taken off, lock dropped",
      args: [toFree.length],
      release: LOCK,
    };
    for (const chunk of toFree) {
      for (const [rs, re] of chunk.populatedRegions(1, 0, chunk.nrPages)) {
        this.depopulateChunk(chunk, rs, re);
        yield {
          section: "chunk %d pages %d..%d depopulated",
          args: [chunk.id, rs, re],
          acquire: LOCK,
        };
        chunk.chunkDepopulated(rs, re);
        yield {
          section: "chunk %d pages %d..%d marked, lock dropped",
          args: [chunk.id, rs, re],
          release: LOCK,
        };
      }
      this.destroyChunk(chunk);
      yield { section: "chunk %d destroyed, cond_resched", args: [chunk.id], sleeps: true };
    }
    yield { section: "free chunks destroyed", acquire: LOCK };
  }

  /**
   * pcpu_reclaim_populated (pcpu_lock held on entry and exit): partial depopulation of the
   * chunks on the to_depopulate list, each range depopulated and each chunk's TLB flushed with
   * the lock dropped.
   */
  protected *reclaimPopulatedSections(): Operation<void> {
    const list = this.slots.lists[this.slots.toDepopulateSlot] as PcpuChunk[];
    for (let chunk = list[0]; chunk !== undefined; chunk = list[0]) {
      let freedStart = chunk.nrPages;
      let freedEnd = 0;
      let reintegrate = false;
      let end = -1;
      for (let i = chunk.nrPages - 1; i >= 0; i--) {
        this.work.loopIterations++;
        if (chunk.nrEmptyPopPages === 0) break;
        if (this.counters.nrEmptyPopPages < PCPU_EMPTY_POP_PAGES_HIGH) {
          reintegrate = true;
          break;
        }
        const block = chunk.block(i);
        if (block.contigHint === PCPU_BITMAP_BLOCK_BITS && chunk.populated[i] === 1) {
          if (end === -1) end = i;
          if (i > 0) continue;
          i--;
        }
        if (end === -1) continue;
        yield {
          section: "chunk %d pages %d..%d to go, lock dropped",
          args: [chunk.id, i + 1, end + 1],
          release: LOCK,
          reads: NR_EMPTY,
          writes: NR_EMPTY,
        };
        this.depopulateChunk(chunk, i + 1, end + 1);
        yield {
          section: "chunk %d pages %d..%d depopulated, cond_resched",
          args: [chunk.id, i + 1, end + 1],
          sleeps: true,
          acquire: LOCK,
        };
        chunk.chunkDepopulated(i + 1, end + 1);
        freedStart = Math.min(freedStart, i + 1);
        freedEnd = Math.max(freedEnd, end + 1);
        end = -1;
      }
      if (freedStart < freedEnd) {
        yield {
          section: "chunk %d TLB to flush, lock dropped",
          args: [chunk.id],
          release: LOCK,
          writes: NR_EMPTY,
        };
        this.postUnmapTlbFlush(chunk, freedStart, freedEnd);
        const flushed = "chunk %d TLB flushed, cond_resched";
        yield { section: flushed, args: [chunk.id], sleeps: true, acquire: LOCK };
      }
      if (reintegrate || chunk.freeBytes === chunk.nrPages * PAGE_SIZE) {
        this.reintegrateChunk(chunk);
        this.workerKept.add(chunk.id);
      } else {
        this.slots.move(chunk, this.slots.sidelinedSlot, false);
      }
    }
  }

  /** The batched TLB flush of pcpu_reclaim_populated ("percpu: flush tlb in pcpu_reclaim_populated()"). */
  protected postUnmapTlbFlush(chunk: PcpuChunk, start: number, end: number): void {
    this.flushTlb(chunk, start, end);
  }

  /** pcpu_reintegrate_chunk: back on the global count and into its slot. */
  protected reintegrateChunk(chunk: PcpuChunk): void {
    if (!chunk.isolated) return;
    chunk.reintegrate();
    this.slots.relocate(chunk, -1);
  }

  /** pcpu_isolate_chunk: off the global count, onto the to_depopulate list. */
  protected isolateChunk(chunk: PcpuChunk): void {
    chunk.isolate();
    this.slots.move(chunk, this.slots.toDepopulateSlot, true);
  }

  /**
   * pcpu_balance_populated (pcpu_lock held on entry and exit): populate up to HIGH empty pages,
   * creating a chunk if need be, each population and creation with the lock dropped.
   */
  protected *balancePopulatedSections(): Operation<void> {
    for (;;) {
      let nrToPop: number;
      if (this.atomicAllocFailed) {
        nrToPop = PCPU_EMPTY_POP_PAGES_HIGH;
        this.atomicAllocFailed = false;
      } else {
        nrToPop = Math.min(
          Math.max(PCPU_EMPTY_POP_PAGES_HIGH - this.counters.nrEmptyPopPages, 0),
          PCPU_EMPTY_POP_PAGES_HIGH,
        );
      }
      for (let slot = this.slots.sizeToSlot(PAGE_SIZE); slot <= this.slots.freeSlot; slot++) {
        if (nrToPop === 0) break;
        const chunk = (this.slots.lists[slot] as PcpuChunk[]).find(
          (c) => c.nrPages - c.nrPopulated > 0,
        );
        if (chunk === undefined) continue;
        for (const [rs, re] of chunk.populatedRegions(0, 0, chunk.nrPages)) {
          const nr = Math.min(re - rs, nrToPop);
          yield {
            section: "chunk %d pages %d..%d to fill, lock dropped",
            args: [chunk.id, rs, rs + nr],
            release: LOCK,
            reads: NR_EMPTY,
            writes: NR_EMPTY,
          };
          const populated = this.populateChunk(chunk, rs, rs + nr).ok;
          yield {
            section: populated
              ? "chunk %d pages %d..%d populated, cond_resched"
              : "chunk %d pages %d..%d not populated, cond_resched",
            args: [chunk.id, rs, rs + nr],
            sleeps: true,
            acquire: LOCK,
            touch: this.backingTouch(),
          };
          if (populated) {
            nrToPop -= nr;
            chunk.chunkPopulated(rs, rs + nr);
          } else {
            nrToPop = 0;
          }
          if (nrToPop === 0) break;
        }
      }
      if (nrToPop === 0) return;
      yield { section: "no chunk to fill, lock dropped", release: LOCK, reads: NR_EMPTY };
      const made = this.createChunk();
      yield made.ok
        ? {
            section: "chunk %d created, cond_resched",
            args: [made.value.id],
            sleeps: true,
            acquire: LOCK,
          }
        : { section: "no chunk made, cond_resched", sleeps: true, acquire: LOCK };
      if (!made.ok) return;
      this.workerKept.add(made.value.id);
      this.slots.relocate(made.value, -1);
    }
  }
}
