/**
 * kiran-2005-09: Ravikiran Thirumalai's "Reimplementation of dynamic per-cpu allocator", as
 * posted after review in September 2005 ("[patch 2/11] mm: Reimplementation of dynamic per-cpu
 * allocator -- alloc_percpu" <20050913155608.GD3570@localhost.localdomain>, the hotplug handler
 * and rollback fix of "[patch 11/11]" <20050913161914.GM3570@localhost.localdomain>), after
 * Andrew Morton's review of the January patch <20050113005730.0e10b2d9.akpm@osdl.org>. It was
 * never merged. Layout as in Kiran's diagram <20050117182735.GA2322@impedimenta.in.ibm.com>:
 *
 *   one block = one vm area of NR_CPUS × PCPU_BLKSIZE + the management area
 *
 *   start                                                          start + NR_CPUS × BLKSIZE
 *   | CPU 0 slice  | CPU 1 slice  | CPU 2 slice  | ... | CPU NR_CPUS-1 |  management pages  |
 *   | page | page  | page | page  |  (hole: not  |     | page | page   | block struct,      |
 *   | node(0)      | node(1)      |   possible)  |     | node(NR-1)    | bitmap, bufctls    |
 *   |<- 8 KiB ---->|
 *        ^ obj at offset X         ^ the same obj at X + 1 × BLKSIZE
 *
 *   per_cpu_ptr(p, cpu) = p + cpu × PCPU_BLKSIZE   (RELOC_HIDE: no memory load)
 *
 * Rules (SOURCES.md, "The 2005 allocator"):
 * - PCPU_BLKSIZE = PAGE_SIZE << 1; MAX_OBJSIZE = PCPU_BLKSIZE; currency (PCPU_CURR_SIZE)
 *   sizeof(int) = 4 from late January 2005 on; one bitmap bit per currency unit. Sizes below
 *   the currency round up to it; size 0 (NULL in the kernel) and sizes above MAX_OBJSIZE are
 *   refused; alignment 0 becomes the currency.
 * - Word size: a 64-bit build (sizeof(void *) = 8), the build of the figures below.
 * - Management area = ALIGN(bufctls + block struct, PAGE_SIZE): one 24-byte buf_ctl per
 *   currency unit {addr, size, next} and struct pcpu_block (start, list link, size_used, the
 *   bitmap, `int bufctl_fl[2048]`, and `pages[4 × NR_CPUS]`, i.e.
 *   (PCPU_BLKSIZE >> PAGE_SHIFT) × NR_CPUS × 2 page pointers): 15 pages at NR_CPUS 8, 19 at
 *   512, so it grows with NR_CPUS.
 * - Block creation (valloc_percpu): management pages (__GFP_ZERO, low memory, the current
 *   node); a vm area of NR_CPUS × PCPU_BLKSIZE plus the management area; the management pages
 *   mapped after the NR_CPUS slices; for each possible CPU (for_each_cpu) the slice's pages
 *   from alloc_pages_node(cpu_to_node(cpu), GFP_ATOMIC | __GFP_HIGHMEM), mapped at
 *   start + cpu × PCPU_BLKSIZE; slices of impossible CPUs stay holes. Every failure unwinds in
 *   order: unmap, free the slice pages (clearing each page pointer, patch 11/11), release the
 *   vm area, free the management pages.
 * - Allocation: the block list is sorted by size_used, descending, with the firstnotfull
 *   pointer where the search starts. The pointer is a block's list link: a block that fills
 *   moves it to the link after it; a block moving up past the pointer's block takes it; the
 *   pointer's block moving down leaves it to the link after. A full block that gets room is not
 *   brought back: if it stays before the pointer the search skips it. An emptied block the
 *   pointer names moves it to the next link, the list head after the last block, and a search
 *   from the head meets nothing: the next allocation makes a block (and the pointer names it)
 *   though partial blocks may be on the list. In a block: the free runs (obj_map), sorted ascending by
 *   size with the library sort (ties: by start, the model's choice: lib/sort.c is not stable);
 *   the smallest run that fits; for alignment the start slides forward within the run while
 *   the rest still fits, else the next run. On a fit: a bufctl from the block's free list, the
 *   bits set, size_used raised, the block moved up the list, the bufctl on the global list.
 *   No fit in any block: a new block (at the tail), retry. Then the object is zeroed in every
 *   possible CPU's slice.
 * - Free: walk the global bufctl list for the exact address (the kernel BUGs if there is
 *   none: the model answers EINVAL), find the block containing it, lower size_used; still used:
 *   clear the bits and move the block down; empty: fix first-not-full, unlink and release the
 *   whole block at once.
 * - Hotplug (patch 11/11): on CPU_UP_PREPARE, allocate and map the CPU's slice pages in every
 *   block where they are missing; a failure aborts the cpu_up (NOTIFY_BAD) after a rollback that
 *   frees pages[j] from the failed slot down to 0 (other CPUs' live pages included). With the
 *   possible set fixed at boot every block already has them, so the rollback never runs.
 *
 * Left out: the locking (blklist_lock, dropped to add a block), the bigref users, the
 * early-boot path. Known differences from the source, each with its reason, are the revision's
 * `differences` (impl/revisions/index.ts, `list --json`): the BUG_ON(!IS_ALIGNED(size,
 * PCPU_CURR_SIZE)) of patch 2/11 is a rounding up by default (the option `bugOnUnaligned` makes
 * it the patch's BUG); a free of an unknown address is EINVAL,
 * not a BUG; lib/sort.c's ties.
 */
import { KernelOops } from "../../external/kernelOops.ts";
import type { BlockView, InspectView, Ptr } from "../../allocator.ts";
import {
  alignUp,
  MachineError,
  PAGE_SIZE,
  type Machine,
  type PageFrame,
} from "../../machine/index.ts";
import { err, isIntIn, isPowerOfTwo, ok, type Result } from "../../result.ts";
import { SimulatedAllocator, type DesignUsage, type SizeAlign } from "../simulatedAllocator.ts";
import { PcpuBlock, type FreeRun, type PageSlot } from "./pcpuBlock.ts";

/** PCPU_BLKSIZE: two pages per CPU per block. */
export const PCPU_BLKSIZE = PAGE_SIZE << 1;
/** MAX_OBJSIZE: the largest object, one whole slice. */
export const MAX_OBJSIZE = PCPU_BLKSIZE;
/** Pages in one CPU's slice. */
export const PAGES_PER_SLICE = PCPU_BLKSIZE / PAGE_SIZE;
/** sizeof(struct buf_ctl) of patch 2/11 on a 64-bit build: addr, size, next (three words). */
export const BUFCTL_SIZE = 24;
/** The page owner tags of this design. */
export const DATA_OWNER = "percpu-data";
export const MGMT_OWNER = "percpu-mgmt";

/**
 * The white-box detail `inspect` gives (design "kiran-2005"): the block list in its order,
 * the first-not-full index, each block's bytes used and set currency bits, and the bufctl list.
 */
export interface KiranDetail {
  readonly design: "kiran-2005";
  /** PCPU_CURR_SIZE in bytes. */
  readonly currency: number;
  readonly blkSize: number;
  /** The list position of the block `firstnotfull` points at; the list length: the list head. */
  readonly firstNotFull: number;
  /** sizeof(void *) of the build modelled (8: 64-bit, 4: 32-bit). */
  readonly wordSize: number;
  readonly list: readonly {
    readonly id: number;
    readonly start: number;
    readonly sizeUsed: number;
    readonly setBits: number;
    readonly live: number;
    readonly mgmtPages: number;
  }[];
  readonly bufctls: readonly {
    readonly addr: number;
    readonly bits: number;
    readonly block: number;
  }[];
}

/** A bufctl on the global list: one live object. */
export interface Bufctl {
  readonly addr: number;
  readonly bits: number;
  readonly size: number;
  readonly block: PcpuBlock;
}

export class KiranAllocator extends SimulatedAllocator {
  readonly name: string = "kiran-2005-09";
  readonly revision: string = "kiran-2005-09";
  readonly maxSize = MAX_OBJSIZE;
  /** PCPU_CURR_SIZE: sizeof(int). */
  readonly currency: number = 4;

  /** sizeof(void *) of the build modelled: the September figures (15 and 19 pages) are 64-bit. */
  readonly wordSize: number = 8;

  /**
   * Patch 2/11's BUG_ON(!IS_ALIGNED(size, PCPU_CURR_SIZE)) as the patch has it: a size above
   * the currency that is not a multiple of it is a kernel BUG (an oops, judged by no-oops). Off
   * by default: the revision rounds such a size up, as the patch's callers had to before
   * calling (`differences` in the revisions table says why).
   */
  readonly bugOnUnaligned: boolean;

  constructor(options: { readonly bugOnUnaligned?: boolean } = {}) {
    super();
    this.bugOnUnaligned = options.bugOnUnaligned === true;
  }

  /** Blocks, sorted by size_used descending. */
  protected blocks: PcpuBlock[] = [];
  /**
   * The patch's `firstnotfull`: the list link of a block, which moves with its block, or null
   * for the list head (a search that starts there meets no block).
   */
  protected firstNotFull: PcpuBlock | null = null;
  /** The global bufctl list, newest last (list_add at the head, walked from there). */
  protected bufctls: Bufctl[] = [];
  /** The model's index of live objects (per_cpu_ptr is pure arithmetic in the kernel). */
  protected byAddr = new Map<number, Bufctl>();
  private nextBlockId = 0;

  get objsPerBlock(): number {
    return PCPU_BLKSIZE / this.currency;
  }

  protected reset(_machine: Machine): void {
    this.blocks = [];
    this.firstNotFull = null;
    this.bufctls = [];
    this.byAddr = new Map();
    this.nextBlockId = 0;
  }

  /** Management pages per block: ALIGN(bufctls + block struct, PAGE_SIZE) / PAGE_SIZE. */
  mgmtPagesPerBlock(): number {
    return alignUp(this.mgmtBytes(this.machine.cpus.nrCpus), PAGE_SIZE) / PAGE_SIZE;
  }

  /**
   * The management area of patch 2/11 before page alignment: OBJS_PER_BLOCK buf_ctls of three
   * words, then struct pcpu_block: start address, list link (two words), size_used and the free
   * list's head (ints), the bitmap, `int bufctl_fl[OBJS_PER_BLOCK]` and `pages[4 x NR_CPUS]`
   * ((PCPU_BLKSIZE >> PAGE_SHIFT) x NR_CPUS x 2 page pointers). 64-bit: 57,888 bytes (15 pages)
   * at NR_CPUS 8, 74,016 (19 pages) at 512.
   */
  mgmtBytes(nrCpus: number): number {
    const w = this.wordSize;
    const objs = this.objsPerBlock;
    const blockStruct = w + 2 * w + 4 + 4 + objs / 8 + 4 * objs + PAGES_PER_SLICE * nrCpus * 2 * w;
    return objs * 3 * w + blockStruct;
  }

  protected override checkSizeAlign(size: number, align: number): Result<SizeAlign> {
    if (!isIntIn(size, 1, this.maxSize)) {
      return err("EINVAL", `alloc: size ${String(size)} out of range, expected 1..${this.maxSize}`);
    }
    if (align === 0) return { ok: true, value: { size, align: this.currency } };
    if (!isIntIn(align, 1, PAGE_SIZE) || !isPowerOfTwo(align)) {
      return err(
        "EINVAL",
        `alloc: align ${String(align)} invalid, expected 0 or a power of two 1..${PAGE_SIZE}`,
      );
    }
    return { ok: true, value: { size, align } };
  }

  // ---- allocation -------------------------------------------------------------------------

  protected allocate(size: number, align: number): Result<Ptr> {
    if (this.bugOnUnaligned && size > this.currency && size % this.currency !== 0) {
      throw new KernelOops(
        "alloc",
        `kernel BUG: BUG_ON(!IS_ALIGNED(size, PCPU_CURR_SIZE)) in __alloc_percpu, size ${size} (patch 2/11)`,
      );
    }
    const bits = Math.ceil(size / this.currency);
    const alignBits = Math.max(1, align / this.currency);
    // Search, and if no block fits, add one and search again (the kernel's retry loop; an
    // empty block always fits a valid request, so a second miss is a bug of the design).
    for (let attempt = 0; attempt < 2; attempt++) {
      for (let i = this.searchStart(); i < this.blocks.length; i++) {
        this.work.loopIterations++;
        const block = this.blocks[i] as PcpuBlock;
        if (block.sizeUsed + bits * this.currency > PCPU_BLKSIZE) continue;
        const first = this.findFit(block, bits, alignBits);
        if (first === undefined) continue;
        return { ok: true, value: this.take(i, block, first, bits, size) };
      }
      if (attempt === 1) break;
      const made = this.createBlock();
      if (!made.ok) return made;
    }
    throw new MachineError(`${this.name}: a new block did not fit ${size} bytes aligned ${align}`);
  }

  /** Where the block search starts: the block `firstnotfull` points at (the head: none). */
  protected searchStart(): number {
    return this.firstNotFull === null ? this.blocks.length : this.blocks.indexOf(this.firstNotFull);
  }

  /** Best fit over the sorted obj_map, with the alignment slide; the first bit, if any. */
  protected findFit(block: PcpuBlock, bits: number, alignBits: number): number | undefined {
    const runs = block.freeRuns();
    this.work.bitsScanned += block.bitmap.length;
    this.sortRuns(runs);
    for (const run of runs) {
      if (run.bits < bits) continue;
      const first = this.slide(run, alignBits);
      if (first + bits <= run.start + run.bits) return first;
    }
    return undefined;
  }

  /** The first aligned bit of a run (the block start is page aligned, so offsets suffice). */
  protected slide(run: FreeRun, alignBits: number): number {
    return alignUp(run.start, alignBits);
  }

  /** The library sort (lib/sort.c): ascending by size; the model breaks ties by start. */
  protected sortRuns(runs: FreeRun[]): void {
    runs.sort((a, b) => {
      this.work.comparisons++;
      return a.bits - b.bits || a.start - b.start;
    });
  }

  /** Marks the fit, moves the block up, records the bufctl and zeroes every possible copy. */
  protected take(index: number, block: PcpuBlock, first: number, bits: number, size: number): Ptr {
    block.mark(first, bits, 1);
    block.sizeUsed += bits * this.currency;
    block.live++;
    const at = this.moveUp(index);
    // A block that fills up: firstnotfull moves to the link after it, once re-sorted (the
    // list head after the last block).
    if (block.sizeUsed === PCPU_BLKSIZE) this.firstNotFull = this.blocks[at + 1] ?? null;
    const addr = block.start + first * this.currency;
    const bufctl: Bufctl = { addr, bits, size, block };
    this.bufctls.push(bufctl);
    this.byAddr.set(addr, bufctl);
    this.zeroCopies(addr, size);
    return addr;
  }

  /** memset(per_cpu_ptr(obj, cpu), 0, size) for each possible CPU. */
  protected zeroCopies(addr: number, size: number): void {
    for (const cpu of this.forEachPossibleCpu()) {
      const r = this.machine.fill(addr + cpu * PCPU_BLKSIZE, size, 0);
      if (!r.ok) throw new MachineError(`${this.name}: zeroing cpu ${cpu}'s copy: ${r.message}`);
    }
  }

  /** Re-sort upward after an allocation: pass blocks that use fewer bytes; the new index. */
  protected moveUp(index: number): number {
    const list = this.blocks;
    const block = list[index] as PcpuBlock;
    let i = index;
    while (i > 0 && (list[i - 1] as PcpuBlock).sizeUsed < block.sizeUsed) {
      this.work.comparisons++;
      // Moving above the block firstnotfull names, this block takes the pointer.
      if (list[i - 1] === this.firstNotFull) this.firstNotFull = block;
      list[i] = list[i - 1] as PcpuBlock;
      i--;
    }
    list[i] = block;
    return i;
  }

  /** Re-sort downward after a free: pass blocks that use more bytes. */
  protected moveDown(index: number): void {
    const list = this.blocks;
    const block = list[index] as PcpuBlock;
    // The block firstnotfull names moving down leaves the pointer to the link after it.
    if (block === this.firstNotFull && (list[index + 1]?.sizeUsed ?? 0) > block.sizeUsed) {
      this.firstNotFull = list[index + 1] as PcpuBlock;
    }
    let i = index;
    while (i < list.length - 1 && (list[i + 1] as PcpuBlock).sizeUsed > block.sizeUsed) {
      this.work.comparisons++;
      list[i] = list[i + 1] as PcpuBlock;
      i++;
    }
    list[i] = block;
  }

  // ---- block creation and release --------------------------------------------------------

  /**
   * The design's loop over the possible CPUs, counted in `work.loopIterations`: for_each_cpu
   * (the possible map in 2005), one iteration per possible CPU.
   */
  protected forEachPossibleCpu(): readonly number[] {
    const cpus = this.machine.cpus.possibleList;
    this.work.loopIterations += cpus.length;
    return cpus;
  }

  /** The CPUs whose slices get pages: the possible CPUs. */
  protected sliceCpus(): readonly number[] {
    return this.forEachPossibleCpu();
  }

  /** One management page: low memory of the current node, __GFP_ZERO. */
  protected allocMgmtPage(): Result<PageFrame> {
    const m = this.machine;
    return m.pages.alloc({ node: m.currentNode, zero: true, owner: MGMT_OWNER });
  }

  /** The GFP flags of a slice page: GFP_ATOMIC | __GFP_HIGHMEM (high memory allowed). */
  protected sliceGfp(): { readonly highmem: boolean; readonly zero: boolean } {
    return { highmem: true, zero: false };
  }

  /** valloc_percpu: a new empty block at the tail of the list, or ENOMEM with nothing held. */
  protected createBlock(): Result<PcpuBlock> {
    const m = this.machine;
    const nrCpus = m.cpus.nrCpus;
    const mgmt: number[] = [];
    for (let i = 0; i < this.mgmtPagesPerBlock(); i++) {
      const page = this.allocMgmtPage();
      if (!page.ok) {
        this.freeMgmt(mgmt);
        return page;
      }
      mgmt.push(page.value.pfn);
    }
    const area = m.vmalloc.reserve(nrCpus * PCPU_BLKSIZE + mgmt.length * PAGE_SIZE, "percpu");
    if (!area.ok) {
      this.freeMgmt(mgmt);
      return area;
    }
    const start = area.value.addr;
    mgmt.forEach((pfn, i) => m.vmalloc.map(start + nrCpus * PCPU_BLKSIZE + i * PAGE_SIZE, pfn));
    const pages: PageSlot[] = new Array<PageSlot>(nrCpus * PAGES_PER_SLICE).fill(null);
    const block = new PcpuBlock(this.nextBlockId, start, this.objsPerBlock, pages, mgmt);
    for (const cpu of this.sliceCpus()) {
      const filled = this.populateSlice(block, cpu);
      if (!filled.ok) {
        this.unwindBlock(block);
        return filled;
      }
    }
    this.nextBlockId++;
    this.blocks.push(block);
    // list_add_tail; a search that started at the list head starts at the new block.
    if (this.firstNotFull === null) this.firstNotFull = block;
    return { ok: true, value: block };
  }

  /** The unwind after a slice could not be populated: everything, in order. */
  protected unwindBlock(block: PcpuBlock): void {
    this.destroyBlock(block);
  }

  /** The node a CPU's slice pages come from: cpu_to_node(cpu). */
  protected sliceNode(cpu: number): number {
    return this.machine.cpus.cpuToNode(cpu);
  }

  /** Allocates and maps the missing pages of one CPU's slice; on ENOMEM frees what it made. */
  protected populateSlice(block: PcpuBlock, cpu: number): Result<void> {
    const m = this.machine;
    const node = this.sliceNode(cpu);
    const made: number[] = [];
    for (let j = 0; j < PAGES_PER_SLICE; j++) {
      const slot = cpu * PAGES_PER_SLICE + j;
      if (block.pages[slot] !== null) continue;
      const page = m.pages.alloc({ node, ...this.sliceGfp(), owner: DATA_OWNER });
      if (!page.ok) {
        for (const k of made) this.unmapSlot(block, k);
        return page;
      }
      block.pages[slot] = page.value.pfn;
      m.vmalloc.map(block.start + cpu * PCPU_BLKSIZE + j * PAGE_SIZE, page.value.pfn);
      made.push(slot);
    }
    return ok();
  }

  /** Unmaps and frees one data page, clearing its pointer (the patch 11/11 fix). */
  protected unmapSlot(block: PcpuBlock, slot: number): void {
    const pfn = block.pages[slot];
    if (pfn === null || pfn === undefined) return;
    const cpu = Math.floor(slot / PAGES_PER_SLICE);
    const j = slot % PAGES_PER_SLICE;
    this.machine.vmalloc.unmap(block.start + cpu * PCPU_BLKSIZE + j * PAGE_SIZE);
    this.machine.pages.free(pfn);
    this.clearPagePointer(block, slot);
  }

  /** pages[j] = NULL after the page is freed (what patch 11/11 added). */
  protected clearPagePointer(block: PcpuBlock, slot: number): void {
    block.pages[slot] = null;
  }

  /** Unwinds a block in order: data pages, management mapping, vm area, management pages. */
  protected destroyBlock(block: PcpuBlock): void {
    const m = this.machine;
    for (let slot = 0; slot < block.pages.length; slot++) this.unmapSlot(block, slot);
    const mgmtStart = block.start + m.cpus.nrCpus * PCPU_BLKSIZE;
    block.mgmtPages.forEach((_, i) => m.vmalloc.unmap(mgmtStart + i * PAGE_SIZE));
    m.vmalloc.release(block.start);
    this.freeMgmt(block.mgmtPages);
  }

  protected freeMgmt(pfns: readonly number[]): void {
    for (const pfn of pfns) this.machine.pages.free(pfn);
  }

  // ---- free and per_cpu_ptr --------------------------------------------------------------

  /** The index of the bufctl for `ptr` on the global list: a walk for the exact address. */
  protected findBufctl(ptr: Ptr): number {
    for (let i = this.bufctls.length - 1; i >= 0; i--) {
      this.work.loopIterations++;
      if ((this.bufctls[i] as Bufctl).addr === ptr) return i;
    }
    return -1;
  }

  protected release(ptr: Ptr): Result<void> {
    // The kernel walks the global bufctl list for the exact address (BUG if none).
    const at = this.findBufctl(ptr);
    const bufctl = this.bufctls[at];
    if (bufctl === undefined) {
      return err("EINVAL", `free: 0x${ptr.toString(16)} is not a live percpu pointer`);
    }
    const index = this.findBlock(bufctl.addr);
    const block = this.blocks[index] as PcpuBlock;
    this.bufctls.splice(at, 1);
    this.byAddr.delete(bufctl.addr);
    // A full block that becomes partial does not move firstnotfull: if it stays before the
    // block the pointer names, the search does not see it (patch 2/11).
    block.sizeUsed -= bufctl.bits * this.currency;
    block.live--;
    if (block.sizeUsed > 0) {
      this.clearObject(block, (bufctl.addr - block.start) / this.currency, bufctl.bits);
      this.moveDown(index);
    } else {
      this.releaseEmptyBlock(index, block);
    }
    return ok();
  }

  /** Clears the object's bits in the block's bitmap. */
  protected clearObject(block: PcpuBlock, first: number, bits: number): void {
    block.mark(first, bits, 0);
  }

  /**
   * An empty block is unlinked and released at once; if firstnotfull names it, the pointer
   * moves to the next link: the list head when the block was the last, so that the next
   * allocation makes a block even where partial blocks are on the list.
   */
  protected releaseEmptyBlock(index: number, block: PcpuBlock): void {
    this.unlinkBlock(index);
    this.destroyBlock(block);
  }

  /** list_del of the block at `index`, moving firstnotfull off it to the next link first. */
  protected unlinkBlock(index: number): void {
    const block = this.blocks[index];
    if (block !== undefined && this.firstNotFull === block) {
      this.firstNotFull = this.blocks[index + 1] ?? null;
    }
    this.blocks.splice(index, 1);
  }

  /** The index of the block whose CPU 0 slice contains `addr` (a walk of the block list). */
  protected findBlock(addr: number): number {
    for (let i = 0; i < this.blocks.length; i++) {
      this.work.loopIterations++;
      const b = this.blocks[i] as PcpuBlock;
      if (addr >= b.start && addr < b.start + PCPU_BLKSIZE) return i;
    }
    throw new MachineError(`${this.name}: no block contains 0x${addr.toString(16)}`);
  }

  protected percpuPtr(ptr: Ptr, cpu: number): Result<number> {
    if (!this.byAddr.has(ptr)) {
      return err("EINVAL", `ptr: 0x${ptr.toString(16)} is not a live percpu pointer`);
    }
    return { ok: true, value: ptr + cpu * PCPU_BLKSIZE };
  }

  // ---- hotplug -----------------------------------------------------------------------------

  /**
   * CPU_UP_PREPARE: give the CPU's slice pages in every block that lacks them. On a failure at
   * page slot s of a block, patch 11/11's rollback frees and clears pages[j] for every j from
   * s - 1 down to 0 of that block's array: the slices of every CPU below this one too, live
   * pages included. With the possible set fixed at boot every block already has every
   * possible CPU's pages, so the handler allocates nothing and the rollback never runs here.
   */
  protected override cpuUpPrepare(cpu: number): Result<void> {
    const done: { block: PcpuBlock; slots: number[] }[] = [];
    for (const block of this.blocks) {
      const made: number[] = [];
      for (let j = 0; j < PAGES_PER_SLICE; j++) {
        const slot = cpu * PAGES_PER_SLICE + j;
        if (block.pages[slot] !== null) continue;
        const page = this.machine.pages.alloc({
          node: this.sliceNode(cpu),
          ...this.sliceGfp(),
          owner: DATA_OWNER,
        });
        if (!page.ok) {
          for (let k = slot - 1; k >= 0; k--) this.unmapSlot(block, k);
          for (const d of done) for (const s of d.slots) this.unmapSlot(d.block, s);
          return err(
            "ENOMEM",
            `cpu_up: CPU_UP_PREPARE could not populate cpu ${cpu}: ${page.message}`,
          );
        }
        block.pages[slot] = page.value.pfn;
        this.machine.vmalloc.map(block.start + cpu * PCPU_BLKSIZE + j * PAGE_SIZE, page.value.pfn);
        made.push(slot);
      }
      if (made.length > 0) done.push({ block, slots: made });
    }
    return ok();
  }

  // ---- stats and white-box view ------------------------------------------------------------

  protected usage(): DesignUsage {
    const blocks = this.blocks.length;
    return {
      unitBytes: blocks * PCPU_BLKSIZE,
      metaBytes: blocks * (this.blocks[0]?.mgmtPages.length ?? 0) * PAGE_SIZE,
      vmBytes: this.machine.vmalloc.reservedBytes,
      memRefsPerDeref: 0,
    };
  }

  protected override view(): InspectView {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const blocks: BlockView[] = this.blocks.map((b) => ({
      id: b.id,
      state: b.sizeUsed === 0 ? "empty" : b.sizeUsed === PCPU_BLKSIZE ? "full" : "partial",
      live: b.live,
      freeBytes: PCPU_BLKSIZE - b.sizeUsed,
    }));
    return {
      blocks,
      objects: this.bufctls.map((c) => ({
        ptr: c.addr,
        block: c.block.id,
        offset: c.addr - c.block.start,
      })),
      // The detail is computed when read (it counts bits in every bitmap).
      get detail() {
        return self.detailView();
      },
    };
  }

  /** The white-box detail: the list order, first-not-full, the bitmaps' counts, the bufctls. */
  detailView(): KiranDetail {
    return {
      design: "kiran-2005",
      currency: this.currency,
      blkSize: PCPU_BLKSIZE,
      firstNotFull: this.searchStart(),
      wordSize: this.wordSize,
      list: this.blocks.map((b) => ({
        id: b.id,
        start: b.start,
        sizeUsed: b.sizeUsed,
        setBits: b.setBits(),
        live: b.live,
        mgmtPages: b.mgmtPages.length,
      })),
      bufctls: this.bufctls.map((c) => ({ addr: c.addr, bits: c.bits, block: c.block.id })),
    };
  }
}
