/**
 * areamap-2009: Tejun Heo's mm/percpu.c of Linux 2.6.30, with the x86 "4k" first chunk of
 * arch/x86/kernel/setup_percpu.c, the first allocator that serves both the static and the
 * dynamic percpu areas from chunks in the vmalloc area. Each chunk has one unit per possible
 * CPU; an object at offset X occupies X in every unit.
 *
 *   chunk c (vm area of num_possible_cpus() x unit_size; CPU c's unit at c x unit_size)
 *   +-----------------+-----------------+-----------------+-----------------+
 *   | unit of cpu 0   | unit of cpu 1   | unit of cpu 2   | unit of cpu 3   |
 *   | its node's pages| its node's pages| its node's pages| its node's pages|
 *   +-----------------+-----------------+-----------------+-----------------+
 *   ^ base + X = the percpu pointer      ^ per_cpu_ptr(p, 1) = p + 1 x unit_size
 *
 *   the first chunk's unit: | static 8 KiB | reserved 8 KiB | dynamic 16 KiB |  = 32 KiB
 *   a dynamic chunk's unit: |              free 32 KiB                      |
 *
 * What it models (mm/percpu.c of 2.6.30 unless said; the area map is in pcpuChunk.ts, the
 * unit layout in unitLayout.ts, the pages in chunkPages.ts, the sizes in pcpuSizes.ts):
 * - unit_size = max(static + reserved + dynamic, PCPU_MIN_UNIT_SIZE) in whole pages: an 8 KiB
 *   static area, PERCPU_MODULE_RESERVE (8 KiB) reserved, the rest of a 32 KiB unit dynamic.
 * - Units: CPU c's unit at c x unit_size, no groups, no unit map (unitLayout.ts); the chunk
 *   struct carries a page pointer per possible CPU and unit page (pcpu_chunk_struct_size).
 * - The first chunk (setup_pcpu_4k): only the static pages mapped at boot; its map starts as
 *   `dmap[2]` = [-(static + reserved), dynamic]; reserved and dynamic pages populated on demand.
 * - Limits: size 1..PCPU_MIN_UNIT_SIZE, alignment up to PAGE_SIZE, nothing else: a
 *   non-power-of-two alignment (0 too) goes through the kernel's ALIGN (pcpuChunk.ts).
 * - pcpu_alloc: scan the slots from pcpu_size_to_slot(size) up with list_for_each_entry; skip a
 *   chunk whose contig hint is below size; extend its map when fewer than two entries are spare
 *   and go on in the same chunk (pcpu_extend_area_map returns 0 after extending as well); first
 *   fit (pcpu_alloc_area), whose failure may relocate the chunk the walk stands on (to slot 0:
 *   the walk then leaves its list, an oops here: walkLeftList). No chunk fits: alloc_pcpu_chunk
 *   (struct from kzalloc, a 16-entry map, get_vm_area), put it on its slot, restart. Then
 *   pcpu_populate_chunk for [PFN_DOWN(off), PFN_UP(off + size)); on failure its error path
 *   frees the whole range's pages, neighbours' included (chunkPages.ts: the 2.6.30 bug), and
 *   pcpu_alloc frees the area; then the area is cleared in every possible CPU's unit.
 * - A failed allocation keeps a chunk it created and a map it extended (areamapPool.ts).
 * - Slots: pcpu_chunk_slot = 0 when free_size or contig_hint < sizeof(int), else
 *   pcpu_size_to_slot(free_size) (the last slot for a fully free chunk). Relocation moves a
 *   chunk to the head of a higher slot, to the tail of a lower one.
 * - free_percpu: the chunk from the address, pcpu_free_area (BUG_ON for an offset that is not an
 *   allocated area: EINVAL here); a fully free chunk with another in the last slot schedules
 *   pcpu_reclaim, which `reclaim` runs: every chunk in the last slot but the head is
 *   depopulated and freed.
 * - per_cpu_ptr(p, cpu) = p + __per_cpu_offset[cpu] (setup_per_cpu_areas: delta + cpu x
 *   unit_size), one load. No hotplug callback: every possible CPU has its unit from the start.
 *
 * - Locking: pcpu_alloc_mutex over the whole allocation and reclaim, pcpu_lock over the index,
 *   dropped around each memory allocation; free_percpu under pcpu_lock only. alloc, free and
 *   reclaim are written as atomic sections in areamapSections.ts (the sequential path drains
 *   them), the calls of an interleaved run in areamapConcurrent.ts.
 *
 * What it leaves out, and each known difference with its reason: areamapDifferences.ts (also
 * `list --json`'s `differences`). What the suite finds, as expected failures: the populate error
 * path's lost page (areamap-populated, integrity, completeness, node-locality) and the served
 * non-power-of-two alignments (bad-align, areamap-live-areas): revisions/index.ts.
 */
import type { BlockView, InspectView, Ptr } from "../../allocator.ts";
import { MachineError, PAGE_SIZE, totalPages, type Machine } from "../../machine/index.ts";
import type { BootConfig, Capability } from "../../allocator.ts";
import { err, ok, type Result } from "../../result.ts";
import type { DesignUsage, SizeAlign } from "../simulatedAllocator.ts";
import { AreamapSectionsAllocator } from "./areamapSections.ts";
import { INT_SIZE, PcpuChunk, type MapMemory } from "./pcpuChunk.ts";
import { pcpuMemAlloc, pcpuMemFree } from "./pcpuMem.ts";
import type { AreamapDetail } from "./areamapDetail.ts";
import {
  chunkPageAddr,
  depopulateChunk,
  depopulateRange,
  populateChunkPages,
  populateFirstChunk,
  type TakenPage,
} from "./chunkPages.ts";
import {
  chunkStructSize,
  DYNAMIC_SIZE,
  FIRST_CHUNK_MAP_ALLOC,
  NR_SLOTS,
  PCPU_DFL_MAP_ALLOC,
  PCPU_MIN_UNIT_SIZE,
  RESERVED_SIZE,
  STATIC_PAGES,
  STATIC_SIZE,
  UNIT_PAGE_OWNER,
  UNIT_PAGES,
  UNIT_SIZE,
  sizeToSlotRaw,
} from "./pcpuSizes.ts";
import { buildUnitLayout, type UnitLayout } from "./unitLayout.ts";

export * from "./pcpuSizes.ts";
export type { AreamapDetail } from "./areamapDetail.ts";

export class AreamapAllocator extends AreamapSectionsAllocator {
  readonly name: string = "areamap-2009";
  readonly revision: string = "areamap-2009";
  readonly maxSize = PCPU_MIN_UNIT_SIZE;
  /** The calls run as sections too (areamapSections.ts, `concurrently`). */
  override readonly capabilities: readonly Capability[] = [
    "cpu_add",
    "cpu_remove",
    "fail_page_alloc",
    "reclaim",
    "inspect",
    "threads",
  ];

  protected layout!: UnitLayout;
  protected mapExtensions = 0;
  private nextChunkId = 0;
  private cached:
    | {
        version: number;
        blocks: BlockView[];
        objects: InspectView["objects"];
        detail?: AreamapDetail;
      }
    | undefined;

  protected reset(machine: Machine): void {
    this.stateVersion++;
    this.layout = buildUnitLayout(machine.cpus.possibleList, UNIT_SIZE);
    this.chunks = [];
    this.slots = Array.from({ length: NR_SLOTS }, () => []);
    this.objects = new Map();
    this.reclaimPending = false;
    this.inFlight = new Set();
    this.mapExtensions = 0;
    this.nextChunkId = 0;
    this.setupFirstChunk(machine);
  }

  /**
   * 2.6.30 puts CPU c's unit at c x unit_size in an area of num_possible_cpus() units: a
   * possible mask with a hole has units past the area's end, so such a machine is refused
   * before anything is set up (x86's prefill_possible_map never makes one).
   */
  override boot(config: BootConfig): Result<void> {
    const possible = [...config.possible].sort((a, b) => a - b);
    const outside = possible.find((cpu, i) => cpu !== i);
    if (outside !== undefined) {
      return err(
        "EINVAL",
        `${this.name}: possible CPUs must be 0..${possible.length - 1} (2.6.30 places CPU c's unit at c x unit_size in an area of num_possible_cpus() units), but CPU ${outside} is possible and the mask has a hole below it`,
      );
    }
    return super.boot(config);
  }

  /** setup_pcpu_4k + pcpu_setup_first_chunk: only the static pages mapped at boot. */
  private setupFirstChunk(m: Machine): void {
    const area = m.vmalloc.reserve(this.layout.nrUnits * UNIT_SIZE, "percpu");
    if (!area.ok) throw new MachineError(`${this.name}: first chunk: ${area.message}`);
    const chunk = new PcpuChunk({
      id: this.nextChunkId++,
      first: true,
      base: area.value.addr,
      structAddr: undefined,
      map: [-(STATIC_SIZE + RESERVED_SIZE), DYNAMIC_SIZE],
      mapAlloc: FIRST_CHUNK_MAP_ALLOC,
      mapMemory: { kind: "static" },
      unitPages: UNIT_PAGES,
    });
    populateFirstChunk(m, this.layout, chunk, STATIC_PAGES);
    this.chunks.push(chunk);
    this.relocate(chunk);
  }

  /** pcpu_chunk_addr: the address of page i of CPU `cpu`'s unit. */
  protected pageAddr(chunk: PcpuChunk, cpu: number, i: number): number {
    return chunkPageAddr(this.layout, chunk, cpu, i);
  }

  // ---- slots -----------------------------------------------------------------------------

  /** pcpu_size_to_slot: the last slot for a whole unit, else __pcpu_size_to_slot. */
  protected override sizeToSlot(size: number): number {
    return size === UNIT_SIZE ? NR_SLOTS - 1 : sizeToSlotRaw(size);
  }

  /** pcpu_chunk_slot. */
  protected chunkSlot(chunk: PcpuChunk): number {
    if (chunk.freeSize < INT_SIZE || chunk.contigHint < INT_SIZE) return 0;
    return this.sizeToSlot(chunk.freeSize);
  }

  /** pcpu_chunk_relocate: to the head of a higher slot, the tail of a lower one. */
  protected override relocate(chunk: PcpuChunk): void {
    const oslot = chunk.slot;
    const nslot = this.chunkSlot(chunk);
    if (oslot === nslot) return;
    if (oslot >= 0) {
      const list = this.slots[oslot] as PcpuChunk[];
      list.splice(list.indexOf(chunk), 1);
    }
    const target = this.slots[nslot] as PcpuChunk[];
    if (oslot < nslot) target.unshift(chunk);
    else target.push(chunk);
    chunk.slot = nslot;
  }

  // ---- allocation --------------------------------------------------------------------------

  /**
   * pcpu_alloc's checks: `!size || size > PCPU_MIN_UNIT_SIZE || align > PAGE_SIZE` (WARN and
   * NULL, here EINVAL). Nothing else: an alignment that is not a power of two, 0 included, is
   * served with the kernel's ALIGN (pcpuChunk.ts: kernelAlign).
   */
  protected override checkSizeAlign(size: number, align: number): Result<SizeAlign> {
    if (!Number.isInteger(size) || size < 1 || size > PCPU_MIN_UNIT_SIZE) {
      return err(
        "EINVAL",
        `alloc: size ${String(size)} out of range, expected 1..${PCPU_MIN_UNIT_SIZE}`,
      );
    }
    if (!Number.isInteger(align) || align < 0 || align > PAGE_SIZE) {
      return err("EINVAL", `alloc: align ${String(align)} invalid, expected 0..${PAGE_SIZE}`);
    }
    return { ok: true, value: { size, align } };
  }

  /**
   * A failed pcpu_alloc_area relocated the chunk the walk stands on (its hint fell below
   * sizeof(int): slot 0, at the tail). list_for_each_entry then reads the next entry from the
   * chunk's link, which is pcpu_slot[0]'s list head, takes that head for a chunk and walks slot
   * 0's list, never meeting the head of the slot it started on: in the kernel a read of
   * pcpu_slot[] memory as chunk fields and a walk that does not end where it should. The model
   * stops there, as the oops it leads to.
   */
  protected override walkLeftList(chunk: PcpuChunk, slot: number): never {
    throw new MachineError(
      `pcpu_alloc: chunk ${chunk.id} moved from slot ${slot} to slot ${chunk.slot} by its failed pcpu_alloc_area; list_for_each_entry follows its link to pcpu_slot[${chunk.slot}]'s list head and takes the head for a chunk`,
    );
  }

  /** The contig hint after a fit: exact when the scan reached the last entry, else raised. */
  protected override hintAfterFit(hint: number, maxContig: number, isLast: boolean): number {
    return isLast ? maxContig : Math.max(hint, maxContig);
  }

  /** pcpu_need_to_extend: the new map length when fewer than two entries are spare, else 0. */
  protected override needToExtend(chunk: PcpuChunk): number {
    if (chunk.mapAlloc >= chunk.mapUsed + 2) return 0;
    let newAlloc = PCPU_DFL_MAP_ALLOC;
    while (newAlloc < chunk.mapUsed + 2) newAlloc *= 2;
    return newAlloc;
  }

  /** pcpu_extend_area_map: a bigger map from pcpu_mem_alloc; the old one freed unless static. */
  protected override extendAreaMap(chunk: PcpuChunk, newAlloc: number): Result<void> {
    const mem = pcpuMemAlloc(this.machine, newAlloc * INT_SIZE);
    if (!mem.ok) return mem;
    pcpuMemFree(this.machine, chunk.mapMemory, chunk.mapAlloc * INT_SIZE);
    chunk.mapMemory = mem.value;
    chunk.mapAlloc = newAlloc;
    this.mapExtensions++;
    return ok();
  }

  /** alloc_pcpu_chunk: struct, map, vm area; a new fully free chunk on its slot. */
  protected override allocChunk(): Result<PcpuChunk> {
    const m = this.machine;
    const struct = m.kmalloc.alloc(chunkStructSize(this.layout.nrUnits), m.currentNode);
    if (!struct.ok) return struct;
    const map = this.allocChunkMap(struct.value);
    if (!map.ok) return map;
    const area = m.vmalloc.reserve(this.layout.nrUnits * UNIT_SIZE, "percpu");
    if (!area.ok) {
      pcpuMemFree(m, map.value, PCPU_DFL_MAP_ALLOC * INT_SIZE);
      m.kmalloc.free(struct.value);
      return area;
    }
    const chunk = new PcpuChunk({
      id: this.nextChunkId++,
      first: false,
      base: area.value.addr,
      structAddr: struct.value,
      map: [UNIT_SIZE],
      mapAlloc: PCPU_DFL_MAP_ALLOC,
      mapMemory: map.value,
      unitPages: UNIT_PAGES,
    });
    this.chunks.push(chunk);
    this.relocate(chunk);
    return { ok: true, value: chunk };
  }

  /** The new chunk's map (PCPU_DFL_MAP_ALLOC entries); on failure the struct is freed. */
  protected allocChunkMap(structAddr: number): Result<MapMemory> {
    const map = pcpuMemAlloc(this.machine, PCPU_DFL_MAP_ALLOC * INT_SIZE);
    if (!map.ok) this.machine.kmalloc.free(structAddr);
    return map;
  }

  /** pcpu_alloc's fail path: the area of a failed allocation freed again (pcpu_free_area). */
  protected override unwindArea(chunk: PcpuChunk, off: number): void {
    this.freeArea(chunk, chunk.findAllocated(off, this.work));
  }

  /** pcpu_populate_chunk: the area's missing pages (chunkPages.ts), then the area cleared. */
  protected override populateChunk(chunk: PcpuChunk, off: number, size: number): Result<void> {
    const r = populateChunkPages(
      this.machine,
      this.layout,
      chunk,
      off,
      size,
      this.work,
      (start, end, taken) => this.populateFailed(chunk, start, end, taken),
    );
    if (r.ok) this.clearArea(chunk, off, size);
    return r;
  }

  /**
   * pcpu_populate_chunk's error path ("likely under heavy memory pressure, give memory back"):
   * pcpu_depopulate_chunk(chunk, off, size) over the whole page range, the pages populated
   * before this call included (chunkPages.ts). `taken` is what this call allocated.
   */
  protected populateFailed(
    chunk: PcpuChunk,
    pageStart: number,
    pageEnd: number,
    _taken: readonly TakenPage[],
  ): void {
    depopulateRange(this.machine, this.layout, chunk, pageStart, pageEnd);
  }

  /** memset of the area in every possible CPU's unit. */
  protected clearArea(chunk: PcpuChunk, off: number, size: number): void {
    for (const cpu of this.machine.cpus.possibleList) {
      this.work.loopIterations++;
      const r = this.machine.fill(this.pageAddr(chunk, cpu, 0) + off, size, 0);
      if (!r.ok) throw new MachineError(`${this.name}: clearing cpu ${cpu}'s copy: ${r.message}`);
    }
  }

  // ---- free and reclaim ----------------------------------------------------------------------

  /** pcpu_chunk_addr_search: the chunk whose unit 0 holds `addr`. */
  protected override chunkOf(addr: number): PcpuChunk | undefined {
    for (const chunk of this.chunks) {
      this.work.loopIterations++;
      if (addr >= chunk.base && addr < chunk.base + UNIT_SIZE) return chunk;
    }
    return undefined;
  }

  /** The map entry a free at `off` releases: one that starts there and is allocated, or -1. */
  protected override findFreeable(chunk: PcpuChunk, off: number): number {
    return chunk.findAllocated(off, this.work);
  }

  /** pcpu_free_area on map entry i: mark free, merge, raise the hint, relocate. */
  protected override freeArea(chunk: PcpuChunk, i: number): void {
    chunk.markFree(i);
    const merged = this.mergeFreed(chunk, i);
    chunk.contigHint = Math.max(chunk.map[merged] as number, chunk.contigHint);
    this.relocate(chunk);
  }

  /** Merges a freed entry with free neighbours; the index of the merged entry. */
  protected mergeFreed(chunk: PcpuChunk, i: number): number {
    const at = chunk.mergeWithPrevious(i);
    chunk.mergeWithNext(at);
    return at;
  }

  /** pcpu_depopulate_chunk(chunk, 0, pcpu_unit_size): every populated page freed. */
  protected depopulateForDestroy(chunk: PcpuChunk): void {
    depopulateChunk(this.machine, this.layout, chunk);
  }

  /** pcpu_depopulate_chunk(chunk, 0, unit_size) + free_pcpu_chunk. */
  protected override destroyChunk(chunk: PcpuChunk): void {
    const m = this.machine;
    this.depopulateForDestroy(chunk);
    m.vmalloc.release(chunk.base);
    pcpuMemFree(m, chunk.mapMemory, chunk.mapAlloc * INT_SIZE);
    if (chunk.structAddr !== undefined) m.kmalloc.free(chunk.structAddr);
  }

  // ---- per_cpu_ptr, stats, view --------------------------------------------------------------

  /** __per_cpu_offset[cpu]: the CPU's unit offset (setup_per_cpu_areas). */
  protected perCpuOffset(cpu: number): number {
    return this.layout.unitOffsets.get(cpu) as number;
  }

  protected percpuPtr(ptr: Ptr, cpu: number): Result<number> {
    if (!this.objects.has(ptr)) {
      return err("EINVAL", `ptr: 0x${ptr.toString(16)} is not a live percpu pointer`);
    }
    // One load: __per_cpu_offset[cpu], a kernel array outside the simulated percpu memory.
    this.machine.loads++;
    return { ok: true, value: ptr + this.perCpuOffset(cpu) };
  }

  protected usage(): DesignUsage {
    const maps = this.chunks.reduce((s, c) => s + c.mapAlloc * INT_SIZE, 0);
    return {
      unitBytes: this.chunks.length * UNIT_SIZE,
      metaBytes: this.chunks.length * chunkStructSize(this.layout.nrUnits) + maps,
      vmBytes: this.machine.vmalloc.reservedBytes,
      memRefsPerDeref: 1,
    };
  }

  protected override view(): InspectView {
    if (this.cached?.version !== this.stateVersion) {
      this.cached = {
        version: this.stateVersion,
        blocks: this.chunks.map((c) => ({
          id: c.id,
          state: c.live === 0 ? "empty" : c.freeSize === 0 ? "full" : "partial",
          live: c.live,
          freeBytes: c.freeSize,
        })),
        objects: [...this.objects].map(([ptr, o]) => ({
          ptr,
          block: o.chunk.id,
          offset: ptr - o.chunk.base,
        })),
      };
    }
    const cached = this.cached;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    // A fresh object each time (inspect adds the CPU masks to it); the detail on first read.
    return {
      blocks: cached.blocks,
      objects: cached.objects,
      get detail() {
        return (cached.detail ??= self.detailView());
      },
    };
  }

  /** The white-box detail: slots, layout and every chunk's map. */
  detailView(): AreamapDetail {
    return {
      design: "areamap-2009",
      unitSize: UNIT_SIZE,
      staticSize: STATIC_SIZE,
      reservedSize: RESERVED_SIZE,
      nrSlots: NR_SLOTS,
      slots: this.slots.map((list) => list.map((c) => c.id)),
      unitOffsets: [...this.layout.unitOffsets].map(([cpu, offset]) => ({ cpu, offset })),
      mapExtensions: this.mapExtensions,
      reclaimPending: this.reclaimPending,
      inFlight: [...this.inFlight].map((a) => ({ chunk: a.chunk.id, off: a.off, size: a.size })),
      dataPages: totalPages(this.machine.pages.heldBy(UNIT_PAGE_OWNER)),
      chunks: this.chunks.map((c) => ({
        id: c.id,
        first: c.first,
        base: c.base,
        map: [...c.map],
        mapAlloc: c.mapAlloc,
        contigHint: c.contigHint,
        freeSize: c.freeSize,
        slot: c.slot,
        live: c.live,
        populatedPages: c.populated.reduce((s, p) => s + p, 0),
        populated: [...c.populated],
      })),
    };
  }
}
