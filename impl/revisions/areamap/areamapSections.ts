/**
 * areamap-2009's pcpu_alloc, free_percpu and pcpu_reclaim as atomic sections (impl/sections/):
 * each yield is where mm/percpu.c of 2.6.30 takes or drops pcpu_alloc_mutex or pcpu_lock, or
 * sleeps. The sequential path drains them (`allocate`, `release`, `runDeferredWork`); an
 * interleaved run (properties/interleave) runs other threads' sections in between.
 *
 * 2.6.30's locking ("Synchronization rules", from ccea34b5d0fb "percpu: finer grained locking
 * to break deadlock and allow atomic free", 2.6.30-rc1): pcpu_alloc_mutex protects the
 * allocation and reclaim paths, the chunks and their chunk->page arrays; the spinlock pcpu_lock
 * the index: the chunk slots, the rbtree and the area maps. Every memory allocation (GFP_KERNEL)
 * is made with pcpu_lock dropped.
 *
 *   pcpu_alloc     [mutex, lock] slot scan ─ found ────────────────> area found, lock dropped
 *                     │ map short: lock dropped, pcpu_mem_alloc (sleeps), [lock] switch maps
 *                     └ none fits: lock dropped, alloc_pcpu_chunk (sleeps), [lock] scan again
 *                  populate (sleeps, under the mutex): mutex dropped │ failed: [lock] area
 *                  freed again, both dropped
 *   free_percpu    [lock] pcpu_free_area; a second fully free chunk: schedule_work; lock dropped
 *   pcpu_reclaim   [mutex, lock] every fully free chunk but the last slot's head taken off,
 *                  lock dropped; each depopulated and freed (sleeps) under the mutex; mutex
 *                  dropped. 2.6.30 itself dropped the mutex with the lock, before depopulating
 *                  (harmless there: chunk->page[] is the chunk's own and the chunks are off
 *                  every list); 971f3918a5a8 "percpu: fix pcpu_reclaim() locking" (2.6.32)
 *                  keeps it, as the model does; the mutant areamap-reclaim-unlocked drops it.
 */
import type { Ptr } from "../../allocator.ts";
import { err, ok, type Result } from "../../result.ts";
import {
  drain,
  pcpu_alloc_mutex,
  pcpu_lock,
  type Boundary,
  type ConcurrentAllocator,
  type ConcurrentSystem,
  type Lock,
  type Operation,
} from "../../sections/index.ts";
import { SimulatedAllocator } from "../simulatedAllocator.ts";
import { areamapConcurrentSystem, CHUNK_MAP, CHUNK_PAGE, PCPU_SLOT } from "./areamapConcurrent.ts";
import type { PcpuChunk } from "./pcpuChunk.ts";
import { NR_SLOTS, RESERVED_SIZE, STATIC_SIZE, UNIT_SIZE } from "./pcpuSizes.ts";

/** The lock lists of 2.6.30's sections. */
export const LOCK: readonly Lock[] = [pcpu_lock];
export const MUTEX: readonly Lock[] = [pcpu_alloc_mutex];
export const MUTEX_AND_LOCK: readonly Lock[] = [pcpu_alloc_mutex, pcpu_lock];
const LOCK_AND_MUTEX: readonly Lock[] = [pcpu_lock, pcpu_alloc_mutex];

const INDEX: readonly string[] = [PCPU_SLOT, CHUNK_MAP];
const PAGES: readonly string[] = [CHUNK_PAGE];

const REQUEST: Boundary = { section: "request made", acquire: MUTEX_AND_LOCK };
const FREE_REQUEST: Boundary = { section: "free requested", acquire: LOCK };
const RECLAIM_STARTS: Boundary = { section: "reclaim work starts", acquire: MUTEX_AND_LOCK };
const NO_CHUNK_FITS: Boundary = {
  section: "no chunk fits, lock dropped",
  reads: INDEX,
  writes: INDEX,
  release: LOCK,
};
const CHUNK_ALLOCATED: Boundary = {
  section: "alloc_pcpu_chunk: struct, map and vm area allocated",
  sleeps: true,
  acquire: LOCK,
};
const MAP_ALLOCATED: Boundary = {
  section: "pcpu_mem_alloc: a longer map allocated",
  sleeps: true,
  acquire: LOCK,
};
const RECLAIM_DONE: Boundary = { section: "reclaim done, mutex dropped", release: MUTEX };

/** An area an allocation in flight has reserved: allocated in the map, not yet returned. */
export interface InFlightArea {
  readonly chunk: PcpuChunk;
  readonly off: number;
  readonly size: number;
}

/**
 * The sections of areamap-2009 (areamapAllocator.ts defines the steps they call): the three
 * operations as generators, their drains for the sequential path, and `concurrently`.
 */
export abstract class AreamapSectionsAllocator
  extends SimulatedAllocator
  implements ConcurrentAllocator
{
  /** Every chunk, the first one first, then by creation. */
  protected chunks: PcpuChunk[] = [];
  /** pcpu_slot: the chunk lists by free size. */
  protected slots: PcpuChunk[][] = [];
  /** Live objects by pointer (the model's index: per_cpu_ptr is arithmetic in the kernel). */
  protected objects = new Map<Ptr, { chunk: PcpuChunk; size: number }>();
  /** pcpu_reclaim_work is scheduled (queued: `reclaim`, or a `balance` call, runs it). */
  protected reclaimPending = false;
  /** Areas reserved by allocations between "area found" and their return, by the call. */
  protected inFlight = new Set<InFlightArea>();
  /**
   * Bumped by every operation that can change the design's state (boot, alloc, free, reclaim)
   * and, in an interleaved run, after every section: `inspect` rebuilds its view only then.
   */
  protected stateVersion = 0;

  protected abstract sizeToSlot(size: number): number;
  protected abstract relocate(chunk: PcpuChunk): void;
  protected abstract needToExtend(chunk: PcpuChunk): number;
  protected abstract extendAreaMap(chunk: PcpuChunk, newAlloc: number): Result<void>;
  protected abstract hintAfterFit(hint: number, maxContig: number, isLast: boolean): number;
  protected abstract walkLeftList(chunk: PcpuChunk, slot: number): never;
  protected abstract allocChunk(): Result<PcpuChunk>;
  protected abstract populateChunk(chunk: PcpuChunk, off: number, size: number): Result<void>;
  protected abstract unwindArea(chunk: PcpuChunk, off: number): void;
  protected abstract chunkOf(addr: number): PcpuChunk | undefined;
  protected abstract findFreeable(chunk: PcpuChunk, off: number): number;
  protected abstract freeArea(chunk: PcpuChunk, i: number): void;
  protected abstract destroyChunk(chunk: PcpuChunk): void;

  protected allocate(size: number, align: number): Result<Ptr> {
    return drain(this.allocSections(size, align));
  }

  protected release(ptr: Ptr): Result<void> {
    return drain(this.freeSections(ptr));
  }

  /** pcpu_reclaim, run by `reclaim` when free_percpu scheduled it. */
  protected override runDeferredWork(): void {
    drain(this.reclaimSections());
  }

  // ---- for interleaved runs ------------------------------------------------------------------

  /** alloc as sections: the request's checks first (an error is the one section), then pcpu_alloc's. */
  *allocOperation(size: number, align: number): Operation<Result<Ptr>> {
    const checked = this.checkSizeAlign(size, align);
    if (!checked.ok) return checked;
    return yield* this.fresh(this.allocSections(checked.value.size, checked.value.align));
  }

  /** free_percpu as sections. */
  freeOperation(ptr: Ptr): Operation<Result<void>> {
    return this.fresh(this.freeSections(ptr));
  }

  /** pcpu_reclaim_work's function, once (nothing when it is not scheduled). */
  reclaimOperation(): Operation<void> {
    return this.fresh(this.reclaimSections());
  }

  /**
   * The calls as sections on this allocator's state. free_percpu already only schedules
   * pcpu_reclaim (the flag `reclaimPending`); a `balance` call runs it.
   */
  concurrently(): ConcurrentSystem {
    return areamapConcurrentSystem(this);
  }

  /** The sections of `op`, the inspect view made stale after each. */
  private *fresh<R>(op: Operation<R>): Operation<R> {
    for (;;) {
      const next = op.next();
      this.stateVersion++;
      if (next.done === true) return next.value;
      yield next.value;
    }
  }

  // ---- pcpu_alloc ------------------------------------------------------------------------------

  /**
   * pcpu_alloc(size, align, false): the slot scan from pcpu_size_to_slot(size) up with
   * list_for_each_entry, skipping a chunk whose contig hint is below size; a map with fewer than
   * two spare entries extended (lock dropped around pcpu_mem_alloc) and the walk going on in the
   * same chunk (2.6.30's pcpu_extend_area_map returns 0 after extending too); first fit. No chunk
   * fits: alloc_pcpu_chunk with the lock dropped, the chunk put on its slot, restart. Then
   * populate with the lock dropped, under the mutex.
   */
  protected *allocSections(size: number, align: number): Operation<Result<Ptr>> {
    yield REQUEST;
    this.stateVersion++;
    for (;;) {
      for (let slot = this.sizeToSlot(size); slot < NR_SLOTS; slot++) {
        // list_for_each_entry, not the _safe variant: the next chunk is read from the current
        // one's list link after the body, wherever the body has moved it.
        const list = this.slots[slot] as PcpuChunk[];
        for (let k = 0; k < list.length; k++) {
          const chunk = list[k] as PcpuChunk;
          this.work.loopIterations++;
          this.work.comparisons++;
          if (size > chunk.contigHint) continue;
          const newAlloc = this.needToExtend(chunk);
          if (newAlloc > 0) {
            yield {
              section: "chunk %d's map to extend, lock dropped",
              args: [chunk.id],
              reads: INDEX,
              release: LOCK,
            };
            yield MAP_ALLOCATED;
            const extended = this.extendAreaMap(chunk, newAlloc);
            if (!extended.ok) {
              yield { section: "map not extended, locks dropped", release: LOCK_AND_MUTEX };
              return extended;
            }
          }
          const off = chunk.allocArea(
            size,
            align,
            (h, m, last) => this.hintAfterFit(h, m, last),
            this.work,
          );
          this.relocate(chunk);
          if (off >= 0) return yield* this.populateSections(chunk, off, size);
          if (chunk.slot !== slot) this.walkLeftList(chunk, slot);
        }
      }
      yield NO_CHUNK_FITS;
      yield CHUNK_ALLOCATED;
      const made = this.allocChunk();
      if (!made.ok) {
        yield { section: "no chunk made, locks dropped", release: LOCK_AND_MUTEX };
        return made;
      }
    }
  }

  /** area_found: pcpu_lock dropped, pcpu_populate_chunk under the mutex, then the pointer. */
  private *populateSections(chunk: PcpuChunk, off: number, size: number): Operation<Result<Ptr>> {
    const area: InFlightArea = { chunk, off, size };
    this.inFlight.add(area);
    const where = [chunk.id, off];
    yield {
      section: "area found at chunk %d off %x, lock dropped",
      args: where,
      reads: INDEX,
      writes: INDEX,
      release: LOCK,
    };
    const populated = this.populateChunk(chunk, off, size);
    if (!populated.ok) {
      yield { section: "pages not populated", sleeps: true, writes: PAGES, acquire: LOCK };
      this.unwindArea(chunk, off);
      this.inFlight.delete(area);
      yield {
        section: "area at chunk %d off %x freed again, locks dropped",
        args: where,
        reads: INDEX,
        writes: INDEX,
        release: LOCK_AND_MUTEX,
      };
      return populated;
    }
    yield {
      section: "pages populated, mutex dropped",
      sleeps: true,
      writes: PAGES,
      release: MUTEX,
    };
    this.inFlight.delete(area);
    const ptr = chunk.base + off;
    chunk.live++;
    this.objects.set(ptr, { chunk, size });
    return { ok: true, value: ptr };
  }

  // ---- free_percpu -----------------------------------------------------------------------------

  /**
   * free_percpu: under pcpu_lock only (it may come from atomic context): the chunk from the
   * address, pcpu_free_area (BUG_ON for an offset that starts no allocated area: EINVAL here);
   * a fully free chunk with another on the last slot schedules pcpu_reclaim_work.
   */
  protected *freeSections(ptr: Ptr): Operation<Result<void>> {
    yield FREE_REQUEST;
    this.stateVersion++;
    const chunk = this.chunkOf(ptr);
    if (chunk === undefined) {
      yield { section: "%x in no chunk, lock dropped", args: [ptr], release: LOCK };
      return err("EINVAL", `free: 0x${ptr.toString(16)} is in no chunk's unit 0`);
    }
    const off = ptr - chunk.base;
    if (chunk.first && off < STATIC_SIZE + RESERVED_SIZE) {
      yield { section: "%x not dynamic, lock dropped", args: [ptr], release: LOCK };
      return err(
        "EINVAL",
        `free: 0x${ptr.toString(16)} is in the static or reserved area, not a dynamic object`,
      );
    }
    const i = this.findFreeable(chunk, off);
    if (i < 0) {
      yield { section: "%x starts no area, lock dropped", args: [ptr], release: LOCK };
      return err(
        "EINVAL",
        `free: 0x${ptr.toString(16)} (offset ${off}) does not start an allocated area`,
      );
    }
    this.freeArea(chunk, i);
    chunk.live--;
    this.objects.delete(ptr);
    if (chunk.freeSize === UNIT_SIZE) {
      const others = (this.slots[NR_SLOTS - 1] as PcpuChunk[]).some((c) => c !== chunk);
      if (others) this.reclaimPending = true;
    }
    yield {
      section: "area at chunk %d off %x freed, lock dropped",
      args: [chunk.id, off],
      reads: INDEX,
      writes: INDEX,
      release: LOCK,
    };
    return ok();
  }

  // ---- pcpu_reclaim ----------------------------------------------------------------------------

  /**
   * pcpu_reclaim, when scheduled: under both locks every chunk on the last slot but its head
   * taken off (onto `todo`, out of the rbtree); pcpu_lock dropped; each depopulated
   * (pcpu_depopulate_chunk(chunk, 0, pcpu_unit_size)) and freed (free_pcpu_chunk: vfree,
   * free_vm_area, kfree: it sleeps), under pcpu_alloc_mutex unless `reclaimKeepsMutex` says not.
   */
  protected *reclaimSections(): Operation<void> {
    this.stateVersion++;
    if (!this.reclaimPending) return;
    this.reclaimPending = false;
    yield RECLAIM_STARTS;
    this.stateVersion++;
    const head = this.slots[NR_SLOTS - 1] as PcpuChunk[];
    const todo: PcpuChunk[] = [];
    for (const chunk of head.slice(1)) {
      if (chunk.first) continue;
      head.splice(head.indexOf(chunk), 1);
      this.chunks.splice(this.chunks.indexOf(chunk), 1);
      todo.push(chunk);
    }
    const keepsMutex = this.reclaimKeepsMutex();
    yield {
      section: keepsMutex
        ? "chunks taken off: %d, lock dropped"
        : "chunks taken off: %d, locks dropped",
      args: [todo.length],
      reads: INDEX,
      writes: INDEX,
      release: keepsMutex ? LOCK : LOCK_AND_MUTEX,
    };
    for (let k = 0; k < todo.length; k++) {
      const chunk = todo[k] as PcpuChunk;
      this.destroyChunk(chunk);
      if (k + 1 < todo.length || !keepsMutex) {
        yield {
          section: "chunk %d depopulated and freed",
          args: [chunk.id],
          sleeps: true,
          writes: PAGES,
        };
      } else {
        yield {
          section: "chunk %d depopulated and freed, mutex dropped",
          args: [chunk.id],
          sleeps: true,
          writes: PAGES,
          release: MUTEX,
        };
      }
    }
    if (todo.length === 0 && keepsMutex) yield RECLAIM_DONE;
  }

  /**
   * Whether pcpu_reclaim depopulates and frees the chunks under pcpu_alloc_mutex, as the mutex's
   * rule ("protects ... chunks and chunk->page arrays") and 971f3918a5a8 want.
   */
  protected reclaimKeepsMutex(): boolean {
    return true;
  }
}
