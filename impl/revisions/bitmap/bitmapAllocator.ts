/**
 * bitmap-2017: today's mm/percpu.c, Dennis Zhou's bitmap allocator (4.14, "percpu: replace
 * area map allocator with bitmap" <20170724230220.21774-1-dennisz@fb.com> and the series
 * around it; scan hints in 5.1) with Roman Gushchin's partial depopulation (5.14,
 * <20210408035736.883861-1-guro@fb.com>).
 *
 *   __alloc_percpu(size, align)
 *     size = ALIGN(size, 4), align = max(align, 4); bits = size / 4
 *     for slot in pcpu_size_to_slot(size) .. free slot:           (chunkSlots.ts)
 *       for chunk in slot:  off = pcpu_find_block_fit(...)          (pcpu_chunk.ts)
 *         miss: slot < PCPU_SLOT_FAIL_THRESHOLD ? move to slot 0
 *         hit:  pcpu_alloc_area(...) → reintegrate → found
 *     none: atomic → ENOMEM (and schedule the worker);
 *           no fully free chunk → pcpu_create_chunk, retry         (percpuVm.ts)
 *     found: populate [PFN_DOWN(off), PFN_UP(off + size)) where missing (not atomic);
 *            a failure frees the area again; < LOW empty pages → worker (balanceWorker.ts);
 *            memset every possible CPU's copy
 *   free_percpu(p): pcpu_free_area; a fully free chunk with another on the free list →
 *     worker; else pcpu_should_reclaim_chunk → isolate onto to_depopulate, worker
 *
 * Modelling choices:
 * - Unit size PCPU_MIN_UNIT_SIZE = 32 KiB (8 pages, 8 md blocks, 8192 bits): the smallest unit
 *   the kernel sets up and exactly the largest allocation, so every valid request fits a chunk,
 *   areas span blocks and pages, and property runs stay small.
 * - The first chunk (static variables, the reserved region and the first dynamic region, set up
 *   from memblock at boot, immutable, fully populated, never depopulated or freed) is left out:
 *   boot has no chunk and the first allocation creates one. It would only add a fixed region at
 *   boot; every rule it is special in (pcpu_should_reclaim_chunk, balance_free) just skips it.
 *   Hence the empty-page count starts at 0, not at the first chunk's free pages.
 * - No reserved chunk (module static percpu areas), no memcg accounting, no percpu-km.c.
 * - The worker runs at the point the kernel schedules it (see balanceWorker.ts).
 * - The kernel does not check a pointer it is given; the model keeps its live areas and answers
 *   EINVAL to a pointer that is not one (free and per_cpu_ptr), changing nothing.
 * - Hotplug: there is no hotplug callback; units exist for every possible CPU.
 *
 * What it keeps on purpose (bitmapPool.ts, the REVISIONS entry's pool): one fully free chunk
 * with its metadata, vm area and populated pages after the worker has run. A failed
 * allocation keeps what it built before the failing page allocation: a chunk it created, the
 * pages of an earlier populated range, and what the worker populates after an atomic failure;
 * all of it is pool (free space the allocator reuses), within that same bound. An atomic
 * request may fail with ENOMEM where a sleeping one would succeed ("atomic alloc failed, no
 * space left"; __alloc_percpu_gfp "is a lot more likely to fail"), which docs/protocol.md allows.
 */
import type { AllocOptions, BlockView, Capability, InspectView, Ptr } from "../../allocator.ts";
import { MachineError, PAGE_SIZE, totalPages, type Machine } from "../../machine/index.ts";
import { err, isIntIn, isPowerOfTwo, ok, type Result } from "../../result.ts";
import {
  drain,
  type Boundary,
  type ConcurrentAllocator,
  type ConcurrentSystem,
  type Operation,
} from "../../sections/index.ts";
import { BITMAP_SHARED, bitmapCall } from "./bitmapConcurrent.ts";
import type { DesignUsage, SizeAlign } from "../simulatedAllocator.ts";
import {
  LOCK,
  MUTEX,
  MUTEX_AND_LOCK,
  NR_EMPTY,
  PcpuBalanceAllocator,
  PCPU_EMPTY_POP_PAGES_HIGH,
  PCPU_EMPTY_POP_PAGES_LOW,
} from "./balanceWorker.ts";
import { chunkDetail, type BitmapDetail } from "./bitmapDetail.ts";
import { PCPU_MIN_ALLOC_SIZE } from "./chunkMaps.ts";
import { ChunkSlots, PCPU_SLOT_FAIL_THRESHOLD } from "./chunkSlots.ts";
import type { PcpuChunk } from "./pcpuChunk.ts";
import { BITMAP_DATA_OWNER, chunkMetaSizes, PCPU_UNIT_PAGES, PCPU_UNIT_SIZE } from "./percpuVm.ts";

/** A live area: its chunk, byte offset and size. */
interface LiveArea {
  readonly chunk: PcpuChunk;
  readonly off: number;
  readonly size: number;
}

/** What the last allocation saw of the LOW watermark (for the white-box view). */
export interface WatermarkCheck {
  /** pcpu_nr_empty_pop_pages when the allocation was done and its pages populated. */
  readonly emptyAfter: number;
  /** Whether it scheduled the balance worker. */
  readonly scheduled: boolean;
}

/** pcpu_alloc's boundaries that say the same every time. */
const REQUEST: Boundary = { section: "request made", acquire: MUTEX_AND_LOCK };
const ATOMIC_REQUEST: Boundary = { section: "atomic request made", acquire: LOCK };
const FREE_REQUEST: Boundary = { section: "free requested", acquire: LOCK };
const NO_CHUNK_FITS: Boundary = { section: "no chunk fits, lock dropped", release: LOCK };
const A_FREE_CHUNK: Boundary = { section: "a free chunk is there", acquire: LOCK };
const MUTEX_DROPPED: Boundary = { section: "mutex dropped", release: MUTEX };
/** The LOW check's read of it holding no lock, as 6.12.117 does (its own section). */
const UNLOCKED_WATERMARK: Boundary = { section: "LOW watermark read", reads: NR_EMPTY };

export class BitmapAllocator extends PcpuBalanceAllocator implements ConcurrentAllocator {
  readonly name: string = "bitmap-2017";
  override readonly capabilities: readonly Capability[] = [
    "cpu_add",
    "cpu_remove",
    "fail_page_alloc",
    "reclaim",
    "inspect",
    "threads",
  ];
  readonly revision: string = "bitmap-2017";
  readonly maxSize = PCPU_UNIT_SIZE;
  protected live = new Map<Ptr, LiveArea>();
  /**
   * Areas reserved by an allocation that has not returned (an interleaved run sees them between
   * its sections): allocated in the bitmaps, owned by the caller, in the detail's `live`.
   */
  protected inFlight = new Set<LiveArea>();
  /**
   * Deferred work is queued, not run in place (`concurrently`: the kernel's workqueue); the
   * worker's thread runs it.
   */
  protected queueWork = false;
  /** pcpu_balance_work is queued (since the last time its function started). */
  protected workQueued = false;
  protected lastAlloc: WatermarkCheck | undefined;
  /** The detail of the current state (every change goes through alloc, free or reclaim). */
  private detailCache: BitmapDetail | undefined;

  protected reset(machine: Machine): void {
    this.resetVm(machine);
    this.slots = new ChunkSlots(PCPU_UNIT_SIZE);
    this.atomicAllocFailed = false;
    this.workerRuns = 0;
    this.live = new Map();
    this.inFlight = new Set();
    this.workQueued = false;
    this.lastAlloc = undefined;
    this.detailCache = undefined;
  }

  /** pcpu_alloc's limits: size 1..32 KiB, alignment 0 (meaning 4) or a power of two to PAGE_SIZE. */
  protected override checkSizeAlign(size: number, align: number): Result<SizeAlign> {
    if (!isIntIn(size, 1, this.maxSize)) {
      return err("EINVAL", `alloc: size ${String(size)} out of range, expected 1..${this.maxSize}`);
    }
    if (align !== 0 && (!isIntIn(align, 1, PAGE_SIZE) || !isPowerOfTwo(align))) {
      return err(
        "EINVAL",
        `alloc: align ${String(align)} invalid, expected 0 or a power of two 1..${PAGE_SIZE}`,
      );
    }
    const a = Math.max(align, PCPU_MIN_ALLOC_SIZE);
    return { ok: true, value: { size: Math.ceil(size / 4) * 4, align: a } };
  }

  // ---- pcpu_alloc ----------------------------------------------------------------------

  protected allocate(
    size: number,
    align: number,
    atomic: boolean,
    options?: AllocOptions,
  ): Result<Ptr> {
    return drain(this.allocSections(size, align, atomic, options));
  }

  /**
   * alloc as atomic sections, for an interleaved run (properties/interleave): the request's
   * size and alignment checked first (an error is the one section), then pcpu_alloc's sections.
   */
  *allocOperation(size: number, align: number, options?: AllocOptions): Operation<Result<Ptr>> {
    const checked = this.checkSizeAlign(size, align);
    if (!checked.ok) return checked;
    const { size: s, align: a } = checked.value;
    return yield* this.freshDetail(this.allocSections(s, a, options?.atomic === true, options));
  }

  /** free as atomic sections, for an interleaved run (free_percpu's). */
  freeOperation(ptr: Ptr): Operation<Result<void>> {
    return this.freshDetail(this.freeSections(ptr));
  }

  override balanceOperation(): Operation<void> {
    return this.freshDetail(this.queuedWork());
  }

  /** The queued work item is taken off the queue as its function starts. */
  private *queuedWork(): Operation<void> {
    this.workQueued = false;
    yield* super.balanceOperation();
  }

  /**
   * The calls as sections on this allocator's state, for an interleaved run: from now on the
   * balance work is queued for the worker's thread (a `balance` call), not run in place.
   */
  concurrently(): ConcurrentSystem {
    this.queueWork = true;
    return { start: (call) => bitmapCall(this, call), shared: BITMAP_SHARED };
  }

  /**
   * The sections of `op`, the white-box detail forgotten after each: in an interleaved run
   * the detail is read between any two sections (an operation run to its end forgets it once).
   */
  private *freshDetail<R>(op: Operation<R>): Operation<R> {
    for (;;) {
      const next = op.next();
      this.detailCache = undefined;
      if (next.done === true) return next.value;
      yield next.value;
    }
  }

  /**
   * pcpu_alloc_noprof as atomic sections (impl/sections/): each yield is where 6.12 takes or
   * drops pcpu_alloc_mutex (not for an atomic request) or pcpu_lock, or sleeps. `allocate` runs
   * them one after the other; an interleaved run runs other threads' sections in between.
   *
   *   [mutex, lock] slot scan ─ found ──────────────> area found, lock dropped
   *                     └ none: lock dropped, create a chunk (sleeps), [lock], scan again
   *   for each unpopulated page range: populate (sleeps), [lock] mark populated, lock dropped
   *   mutex dropped; the LOW check reads pcpu_nr_empty_pop_pages with no lock; zero the copies
   */
  protected *allocSections(
    size: number,
    align: number,
    atomic: boolean,
    options?: AllocOptions,
  ): Operation<Result<Ptr>> {
    yield atomic ? ATOMIC_REQUEST : REQUEST;
    this.detailCache = undefined;
    const bits = size / PCPU_MIN_ALLOC_SIZE;
    const bitAlign = align / PCPU_MIN_ALLOC_SIZE;
    const emptyAtEntry = this.counters.nrEmptyPopPages;
    let found: { chunk: PcpuChunk; bitOff: number } | undefined;
    const reservedChunk = options?.reserved === true ? this.reservedChunk() : undefined;
    if (reservedChunk !== undefined) {
      // "serve reserved allocations from the reserved chunk if available": that chunk only.
      const start = reservedChunk.findBlockFit(bits, bitAlign, atomic);
      const bitOff = start < 0 ? -1 : reservedChunk.allocArea(bits, bitAlign, start);
      if (bitOff < 0) {
        yield { section: "reserved chunk full, lock dropped", release: LOCK };
        return yield* this.failSections(
          atomic,
          "reserved chunk full",
          `alloc: alloc from reserved chunk failed (${size} bytes)`,
        );
      }
      found = { chunk: reservedChunk, bitOff };
    }
    for (let attempt = 0; found === undefined; attempt++) {
      found = this.searchSlots(size, bits, bitAlign, atomic);
      if (found !== undefined) break;
      yield NO_CHUNK_FITS;
      if (atomic) {
        return yield* this.failSections(
          atomic,
          "no populated space",
          `alloc: atomic alloc failed, no populated space for ${size} bytes`,
        );
      }
      if (attempt > 0 && (this.slots.lists[this.slots.freeSlot] as PcpuChunk[]).length > 0) {
        throw new MachineError(`${this.name}: a fully free chunk did not fit ${size} bytes`);
      }
      if ((this.slots.lists[this.slots.freeSlot] as PcpuChunk[]).length === 0) {
        const made = this.createChunk();
        if (!made.ok) {
          return yield* this.failSections(
            atomic,
            "no chunk made",
            `alloc: failed to allocate new chunk: ${made.message}`,
          );
        }
        yield { section: "chunk %d created", args: [made.value.id], sleeps: true, acquire: LOCK };
        this.slots.relocate(made.value, -1);
      } else {
        yield A_FREE_CHUNK;
      }
    }
    const { chunk } = found;
    const off =
      (yield* this.areaReserved(chunk, found.bitOff, bits, bitAlign)) * PCPU_MIN_ALLOC_SIZE;
    const where = [chunk.id, off];
    const area: LiveArea = { chunk, off, size };
    this.inFlight.add(area);
    // The LOW check's count, read under pcpu_lock: here, or after the last pages are marked.
    let seen = this.watermarkCount(emptyAtEntry);
    yield {
      section: "area found at chunk %d off %x, lock dropped",
      args: where,
      release: LOCK,
      reads: NR_EMPTY,
      writes: NR_EMPTY,
    };
    if (!atomic) {
      const pageStart = Math.floor(off / PAGE_SIZE);
      const pageEnd = Math.ceil((off + size) / PAGE_SIZE);
      for (const [rs, re] of chunk.populatedRegions(0, pageStart, pageEnd)) {
        const r = this.populateChunk(chunk, rs, re);
        const did = r.ok ? "pages %d..%d populated" : "pages %d..%d not populated";
        yield {
          section: did,
          args: [rs, re],
          sleeps: true,
          acquire: LOCK,
          touch: this.backingTouch(),
        };
        if (!r.ok) {
          this.inFlight.delete(area);
          this.unwindArea(chunk, off);
          const again = "area found at chunk %d off %x freed again, lock dropped";
          yield { section: again, args: where, release: LOCK };
          return yield* this.failSections(
            atomic,
            "populating failed",
            `alloc: failed to populate: ${r.message}`,
          );
        }
        this.chunkPopulatedForAlloc(chunk, rs, re);
        seen = this.watermarkCount(emptyAtEntry);
        yield {
          section: "pages %d..%d marked, lock dropped",
          args: [rs, re],
          release: LOCK,
          reads: NR_EMPTY,
          writes: NR_EMPTY,
        };
      }
      yield MUTEX_DROPPED;
    }
    if (this.watermarkUnlocked()) {
      // 6.12.117: the LOW check reads pcpu_nr_empty_pop_pages here, holding no lock.
      seen = this.watermarkCount(emptyAtEntry);
      yield UNLOCKED_WATERMARK;
    }
    const scheduled = seen < PCPU_EMPTY_POP_PAGES_LOW;
    this.lastAlloc = { emptyAfter: this.counters.nrEmptyPopPages, scheduled };
    const ptr = chunk.base + off - this.ptrBase;
    this.inFlight.delete(area);
    this.live.set(ptr, area);
    if (scheduled) this.scheduleBalanceWork();
    this.zeroCopies(ptr, size);
    return { ok: true, value: ptr };
  }

  /**
   * The area's bit offset once reserved: found and reserved in the one pcpu_lock section, as
   * pcpu_alloc does (no section here). The mutant bitmap-area-lock-dropped drops the lock in
   * between.
   */
  // eslint-disable-next-line require-yield
  protected *areaReserved(
    _chunk: PcpuChunk,
    bitOff: number,
    _bits: number,
    _bitAlign: number,
  ): Operation<number> {
    return bitOff;
  }

  /** pcpu_alloc's fail: (pcpu_lock dropped) an atomic failure flags the worker, else the mutex goes. */
  private *failSections(atomic: boolean, why: string, message: string): Operation<Result<Ptr>> {
    if (atomic) {
      this.atomicAllocFailed = true;
      this.scheduleBalanceWork();
      yield { section: `${why}, balance work scheduled` };
    } else {
      yield { section: `${why}, mutex dropped`, release: MUTEX };
    }
    return err("ENOMEM", message);
  }

  /** pcpu_reserved_chunk: none in the model's configuration. */
  protected reservedChunk(): PcpuChunk | undefined {
    return undefined;
  }

  /** The chunks in the order `inspect` lists them: by id (the order they were made). */
  protected inspectOrder(): PcpuChunk[] {
    return this.allChunks().sort((a, b) => a.id - b.id);
  }

  /** Pages pcpu_nr_populated counts outside every chunk (the first chunk's static region). */
  protected staticPages(): number {
    return 0;
  }

  /** Every chunk, for `inspect`: those on the lists (the reserved chunk is on none). */
  protected allChunks(): PcpuChunk[] {
    return this.slots.all();
  }

  /**
   * pcpu_schedule_balance_work: the model runs the worker at once, the same work at the point
   * it is asked for (balanceWorker.ts); the kernel configuration queues it for `reclaim`.
   */
  protected scheduleBalanceWork(): void {
    if (this.queueWork) this.workQueued = true;
    else this.balanceWorkfn();
  }

  /**
   * Whether the LOW check reads pcpu_nr_empty_pop_pages after the mutex is dropped, holding no
   * lock (6.12.117, the race of syzbot's 2024 KCSAN report), rather than in the last section
   * that holds pcpu_lock (the fix "percpu: fix data race with pcpu_nr_empty_pop_pages"). Run
   * to completion, one operation at a time, both read the same value.
   */
  protected watermarkUnlocked(): boolean {
    return false;
  }

  /**
   * The empty-page count the LOW check reads: the one after the area is allocated and its
   * pages populated, read in the last section that holds pcpu_lock, or with no lock after
   * mutex_unlock where `watermarkUnlocked` says so (6.12.117); run to completion, one operation
   * at a time, both are the same value. The mutant bitmap-stale-watermark reads the value from
   * before.
   */
  protected watermarkCount(_atEntry: number): number {
    return this.counters.nrEmptyPopPages;
  }

  /** pcpu_chunk_populated after populating for an allocation. */
  protected chunkPopulatedForAlloc(chunk: PcpuChunk, rs: number, re: number): void {
    chunk.chunkPopulated(rs, re);
  }

  /** The slot scan of pcpu_alloc: the chunk and bit offset of the area, or undefined. */
  protected searchSlots(
    size: number,
    bits: number,
    bitAlign: number,
    atomic: boolean,
  ): { chunk: PcpuChunk; bitOff: number } | undefined {
    for (let slot = this.slots.sizeToSlot(size); slot <= this.slots.freeSlot; slot++) {
      for (const chunk of [...(this.slots.lists[slot] as PcpuChunk[])]) {
        this.work.loopIterations++;
        const start = chunk.findBlockFit(bits, bitAlign, atomic);
        if (start < 0) {
          if (slot < PCPU_SLOT_FAIL_THRESHOLD) this.slots.move(chunk, 0, true);
          continue;
        }
        const oslot = this.slots.chunkSlot(chunk);
        const bitOff = chunk.allocArea(bits, bitAlign, start);
        this.slots.relocate(chunk, oslot);
        if (bitOff >= 0) {
          this.reintegrateChunk(chunk);
          return { chunk, bitOff };
        }
      }
    }
    return undefined;
  }

  /** pcpu_alloc's fail path ("fail_unlock: pcpu_free_area"): the failed area freed again. */
  protected unwindArea(chunk: PcpuChunk, off: number): void {
    this.freeArea(chunk, off);
  }

  /** pcpu_free_area with the chunk's relocation. */
  protected freeArea(chunk: PcpuChunk, off: number): void {
    const oslot = this.slots.chunkSlot(chunk);
    chunk.freeArea(off);
    this.slots.relocate(chunk, oslot);
  }

  /** memset(per_cpu_ptr(p, cpu), 0, size) for every possible CPU. */
  protected zeroCopies(ptr: Ptr, size: number): void {
    for (const cpu of this.machine.cpus.possibleList) {
      this.work.loopIterations++;
      const r = this.machine.fill(ptr + this.ptrBase + this.unitOffset(cpu), size, 0);
      if (!r.ok) throw new MachineError(`${this.name}: zeroing cpu ${cpu}'s copy: ${r.message}`);
    }
  }

  // ---- free_percpu -----------------------------------------------------------------------

  protected release(ptr: Ptr): Result<void> {
    return drain(this.freeSections(ptr));
  }

  /**
   * free_percpu as atomic sections: all of it under pcpu_lock (it may come from atomic
   * context), the balance work scheduled after the lock is dropped.
   */
  protected *freeSections(ptr: Ptr): Operation<Result<void>> {
    yield FREE_REQUEST;
    this.detailCache = undefined;
    const area = this.live.get(ptr);
    if (area === undefined) {
      const hex = `0x${ptr.toString(16)}`;
      yield { section: "%x not live, lock dropped", args: [ptr], release: LOCK };
      return err("EINVAL", `free: ${hex} is not a live percpu pointer`);
    }
    this.live.delete(ptr);
    const { chunk } = area;
    this.freeArea(chunk, area.off);
    let needBalance = false;
    if (!chunk.isolated && chunk.freeBytes === PCPU_UNIT_SIZE) {
      const freeList = this.slots.lists[this.slots.freeSlot] as PcpuChunk[];
      needBalance = freeList.some((c) => c !== chunk);
    } else if (this.shouldReclaimChunk(chunk)) {
      this.isolateChunk(chunk);
      needBalance = true;
    }
    yield {
      section: "area at chunk %d off %x freed, lock dropped",
      args: [chunk.id, area.off],
      release: LOCK,
      writes: NR_EMPTY,
    };
    if (needBalance) this.scheduleBalanceWork();
    return ok();
  }

  /** pcpu_should_reclaim_chunk (the first and reserved chunks are not modelled). */
  protected shouldReclaimChunk(chunk: PcpuChunk): boolean {
    return (
      (chunk.isolated && chunk.nrEmptyPopPages > 0) ||
      (this.counters.nrEmptyPopPages > PCPU_EMPTY_POP_PAGES_HIGH + chunk.nrEmptyPopPages &&
        chunk.nrEmptyPopPages >= Math.floor(chunk.nrPages / 4))
    );
  }

  protected percpuPtr(ptr: Ptr, cpu: number): Result<number> {
    if (!this.live.has(ptr)) {
      return err("EINVAL", `ptr: 0x${ptr.toString(16)} is not a live percpu pointer`);
    }
    return this.perCpuPtr(ptr, cpu);
  }

  protected override runDeferredWork(): void {
    this.detailCache = undefined;
    this.balanceWorkfn();
  }

  // ---- stats and white-box view ----------------------------------------------------------

  protected usage(): DesignUsage {
    const chunks = this.slots.all().length;
    const meta = chunkMetaSizes(PCPU_UNIT_PAGES).reduce((a, b) => a + b, 0);
    return {
      unitBytes: chunks * PCPU_UNIT_SIZE,
      metaBytes: chunks * meta,
      vmBytes: this.machine.vmalloc.reservedBytes,
      memRefsPerDeref: 1,
    };
  }

  protected override view(): InspectView {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const liveBy = new Map<PcpuChunk, number>();
    for (const a of this.live.values()) liveBy.set(a.chunk, (liveBy.get(a.chunk) ?? 0) + 1);
    const chunks = this.inspectOrder();
    const blocks: BlockView[] = chunks.map((c) => ({
      id: c.id,
      state: c.freeBytes === c.capacity ? "empty" : c.freeBytes === 0 ? "full" : "partial",
      live: liveBy.get(c) ?? 0,
      freeBytes: c.freeBytes,
    }));
    return {
      blocks,
      objects: [...this.live].map(([ptr, a]) => ({ ptr, block: a.chunk.id, offset: a.off })),
      get detail() {
        return self.detailView();
      },
    };
  }

  /** The white-box detail (design "bitmap-2017"), computed once per state. */
  detailView(): BitmapDetail {
    this.detailCache ??= this.computeDetail();
    return this.detailCache;
  }

  private computeDetail(): BitmapDetail {
    const m = this.machine;
    return {
      design: "bitmap-2017",
      unitSize: PCPU_UNIT_SIZE,
      minAllocSize: PCPU_MIN_ALLOC_SIZE,
      emptyPopPagesLow: PCPU_EMPTY_POP_PAGES_LOW,
      emptyPopPagesHigh: PCPU_EMPTY_POP_PAGES_HIGH,
      nrPopulated: this.counters.nrPopulated,
      nrEmptyPopPages: this.counters.nrEmptyPopPages,
      freeSlot: this.slots.freeSlot,
      sidelinedSlot: this.slots.sidelinedSlot,
      toDepopulateSlot: this.slots.toDepopulateSlot,
      workerRuns: this.workerRuns,
      lastAlloc: this.lastAlloc,
      dataPages: totalPages(m.pages.heldBy(BITMAP_DATA_OWNER)),
      staticPages: this.staticPages(),
      workerKept: [...this.workerKept],
      chunks: [
        ...this.allChunks()
          .filter((c) => c.reserved)
          .map((c) => [c, -1] as const),
        ...this.slots.lists.flatMap((list, slot) => list.map((c) => [c, slot] as const)),
      ].map(([c, slot]) =>
        chunkDetail(c, slot, (cpu, page) => m.vmalloc.lookup(this.pageAddr(c, cpu, page))),
      ),
      // The areas of allocations in flight are the callers' too (an interleaved run's view).
      live: [...this.live.values(), ...this.inFlight].map((a) => ({
        chunk: a.chunk.id,
        off: a.off,
        size: a.size,
      })),
    };
  }
}
