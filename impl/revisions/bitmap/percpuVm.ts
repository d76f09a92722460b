/**
 * mm/percpu-vm.c for the bitmap allocator: chunks in vmalloc space, one unit per possible CPU,
 * pages allocated and mapped on demand (populate) and unmapped and freed again (depopulate).
 *
 *   chunk->base_addr                                      one vm area, nr_units × unit size
 *   | unit 0 (cpu 1, node 0) | unit 1 (cpu 3, node 0) | unit 2 (cpu 0, node 1) | guard |
 *   | p0 | p1 | .. | p7      | p0 | p1 | .. | p7      | p0 | ..                 |
 *     ^ populated page: a frame from cpu_to_node(cpu) per possible CPU, mapped at
 *       base + unit_off[cpu] + page × PAGE_SIZE
 *
 *   percpu pointer = base + off (the unit-0-relative address, as __addr_to_pcpu_ptr gives)
 *   per_cpu_ptr(p, cpu) = p + __per_cpu_offset[cpu]   (one load of the static offset table)
 *
 * Rules and where they come from:
 * - Units: one per possible CPU (pcpu_build_alloc_info groups the possible CPUs by node; the
 *   model orders units by node, then CPU, in one vm area: the kernel's per-group areas keep
 *   the same offsets, so one area is a simplification of the address layout only).
 * - pcpu_create_chunk: pcpu_alloc_chunk (chunk struct, alloc_map, bound_map and md_blocks by
 *   pcpu_mem_zalloc, i.e. kzalloc below a page), then pcpu_get_vm_areas; any failure frees what
 *   was taken. No pages yet.
 * - pcpu_populate_chunk(rs, re): the page array (pcpu_get_pages: made at the first populate and
 *   kept), then for_each_possible_cpu, alloc_pages_node(cpu_to_node(cpu),
 *   GFP_KERNEL | __GFP_HIGHMEM) for each page (a failure frees the pages got so far), then map.
 * - pcpu_depopulate_chunk(rs, re): unmap and free the pages; the TLB is not flushed there:
 *   pcpu_reclaim_populated flushes once per chunk ("percpu: flush tlb in
 *   pcpu_reclaim_populated()", 5.14), destroying the chunk flushes through free_vm_area. The
 *   model keeps an unmapped page's translation live until that flush (`tlbPending`), so a
 *   missing flush leaves a depopulated page reachable, as the bug did.
 * - pcpu_destroy_chunk: free_vm_area and pcpu_free_chunk (the chunk is fully depopulated first).
 */
import type { Ptr } from "../../allocator.ts";
import { MachineError, PAGE_SIZE, type Machine } from "../../machine/index.ts";
import { err, ok, type Result } from "../../result.ts";
import { SimulatedAllocator } from "../simulatedAllocator.ts";
import type { PercpuCounters } from "./chunkMaps.ts";
import { PcpuChunk } from "./pcpuChunk.ts";

/** PCPU_MIN_UNIT_SIZE: 32 KiB, the unit size modelled (see bitmapAllocator.ts). */
export const PCPU_UNIT_SIZE = 32 * 1024;
export const PCPU_UNIT_PAGES = PCPU_UNIT_SIZE / PAGE_SIZE;
/** Page owner tag of percpu data pages. */
export const BITMAP_DATA_OWNER = "percpu-data";
/** sizeof(struct pcpu_chunk) on 64-bit without debug options (about 136 bytes) + the populated bitmap (one long for 8 pages). */
export const PCPU_CHUNK_STRUCT_SIZE = 136 + 8;
/** sizeof(struct pcpu_block_md): eight ints. */
export const PCPU_BLOCK_MD_SIZE = 32;

/** pcpu_get_pages' array: a struct page pointer per unit page of every unit. */
export function pageArrayBytes(nrUnits: number): number {
  return nrUnits * PCPU_UNIT_PAGES * 8;
}

/** The kzalloc sizes of one chunk's metadata (pcpu_alloc_chunk). */
export function chunkMetaSizes(nrPages: number): number[] {
  const bits = (nrPages * PAGE_SIZE) / 4;
  const longs = (n: number): number => Math.ceil(n / 64) * 8;
  return [PCPU_CHUNK_STRUCT_SIZE, longs(bits), longs(bits + 1), nrPages * PCPU_BLOCK_MD_SIZE];
}

export abstract class PercpuVmAllocator extends SimulatedAllocator {
  /** The unit of each possible CPU (pcpu_unit_map). */
  protected unitOf = new Map<number, number>();
  protected nrUnits = 0;
  protected counters: PercpuCounters = { nrPopulated: 0, nrEmptyPopPages: 0 };
  protected nextChunkId = 0;
  /**
   * What __addr_to_pcpu_ptr subtracts: a percpu pointer is an address less this (the kernel's
   * pcpu_base_addr, with __per_cpu_start 0 as on x86_64), per_cpu_ptr adds it back. 0 in the
   * model's configuration: a pointer is unit 0's address.
   */
  protected ptrBase = 0;
  /** pcpu_get_pages' array, once made. */
  protected pageArray: number | undefined;
  /** Unmapped addresses whose translation stays live until the next TLB flush (with their page in the unit), by chunk. */
  protected tlbPending = new Map<PcpuChunk, Map<number, number>>();

  protected resetVm(m: Machine): void {
    const possible = [...m.cpus.possibleList].sort(
      (a, b) => m.cpus.cpuToNode(a) - m.cpus.cpuToNode(b) || a - b,
    );
    this.unitOf = new Map(possible.map((cpu, unit) => [cpu, unit]));
    this.nrUnits = possible.length;
    this.counters = { nrPopulated: 0, nrEmptyPopPages: 0 };
    this.nextChunkId = 0;
    this.tlbPending = new Map();
    this.pageArray = undefined;
  }

  /** pcpu_unit_offsets[cpu]. */
  protected unitOffset(cpu: number): number {
    const unit = this.unitOf.get(cpu);
    if (unit === undefined) throw new MachineError(`${this.name}: cpu ${cpu} has no unit`);
    return unit * PCPU_UNIT_SIZE;
  }

  /** The address of page `page` of `cpu`'s unit in `chunk` (pcpu_chunk_addr). */
  protected pageAddr(chunk: PcpuChunk, cpu: number, page: number): number {
    return chunk.base + this.unitOffset(cpu) + page * PAGE_SIZE;
  }

  /**
   * per_cpu_ptr: p + __per_cpu_offset[cpu]. The table is static kernel data (an NR_CPUS array
   * in the kernel image, not memory the allocator takes from the page allocator), so the model
   * counts its one load on the machine without placing it in simulated memory.
   */
  protected perCpuPtr(ptr: Ptr, cpu: number): Result<number> {
    this.machine.loads++;
    return { ok: true, value: ptr + this.ptrBase + this.unitOffset(cpu) };
  }

  /** The chunk object; a mutant may return a subclass. */
  protected newChunk(base: number, meta: number[]): PcpuChunk {
    return new PcpuChunk(this.nextChunkId++, base, PCPU_UNIT_PAGES, meta, this.counters, this.work);
  }

  /** pcpu_create_chunk: metadata, then the vm area; ENOMEM with nothing held. */
  protected createChunk(): Result<PcpuChunk> {
    const meta: number[] = [];
    for (const size of chunkMetaSizes(PCPU_UNIT_PAGES)) {
      const got = this.allocMeta(size);
      if (!got.ok) {
        for (const a of meta) this.freeMeta(a);
        return err("ENOMEM", `pcpu_create_chunk: chunk metadata: ${got.message}`);
      }
      meta.push(got.value);
    }
    const area = this.getVmAreas();
    if (!area.ok) {
      for (const a of meta) this.freeMeta(a);
      return area;
    }
    const chunk = this.newChunk(area.value, meta);
    for (const cpu of this.unitOf.keys()) {
      chunk.pages.set(cpu, new Array<number | null>(PCPU_UNIT_PAGES).fill(null));
    }
    return { ok: true, value: chunk };
  }

  /** pcpu_destroy_chunk: the vm area (flushing what is pending) and the metadata. */
  protected destroyChunk(chunk: PcpuChunk): void {
    this.flushTlb(chunk, 0, chunk.nrPages);
    this.tlbPending.delete(chunk);
    this.freeVmAreas(chunk);
    for (const a of chunk.meta) this.freeMeta(a);
  }

  /** pcpu_mem_zalloc of a chunk's metadata: kzalloc below a page. */
  protected allocMeta(size: number): Result<number> {
    return this.machine.kmalloc.alloc(size, this.machine.currentNode);
  }

  /** pcpu_mem_free. */
  protected freeMeta(addr: number): void {
    this.machine.kmalloc.free(addr);
  }

  /** pcpu_get_vm_areas: the chunk's vm area, all units in one (the chunk's base address). */
  protected getVmAreas(): Result<number> {
    const area = this.machine.vmalloc.reserve(this.nrUnits * PCPU_UNIT_SIZE, "percpu");
    return area.ok ? { ok: true, value: area.value.addr } : area;
  }

  /** pcpu_free_vm_areas: the chunk's vm area given back. */
  protected freeVmAreas(chunk: PcpuChunk): void {
    this.machine.vmalloc.release(chunk.base);
  }

  /** pcpu_populate_chunk: pages [rs, re) for every possible CPU, all or nothing. */
  protected populateChunk(chunk: PcpuChunk, rs: number, re: number): Result<void> {
    const m = this.machine;
    const array = this.getPages();
    if (!array.ok) return array;
    const got: { cpu: number; page: number; pfn: number }[] = [];
    for (const cpu of m.cpus.possibleList) {
      for (let page = rs; page < re; page++) {
        this.work.loopIterations++;
        const frame = m.pages.alloc({
          node: m.cpus.cpuToNode(cpu),
          highmem: true,
          owner: BITMAP_DATA_OWNER,
        });
        if (!frame.ok) {
          this.unwindPages(got.map((g) => g.pfn));
          return err("ENOMEM", `pcpu_populate_chunk: page ${page} of cpu ${cpu}: ${frame.message}`);
        }
        got.push({ cpu, page, pfn: frame.value.pfn });
      }
    }
    const mappable = this.beforeMap(chunk, rs, re);
    if (!mappable.ok) {
      this.unwindPages(got.map((g) => g.pfn));
      return mappable;
    }
    for (const g of got) {
      const addr = this.pageAddr(chunk, g.cpu, g.page);
      const stale = this.tlbPending.get(chunk);
      if (stale?.has(addr) === true) {
        // A new mapping replaces the stale translation of the same address.
        m.vmalloc.unmap(addr);
        stale.delete(addr);
      }
      m.vmalloc.map(addr, g.pfn);
      (chunk.pages.get(g.cpu) as (number | null)[])[g.page] = g.pfn;
    }
    return ok();
  }

  /** What pcpu_map_pages needs before the pages are mapped (nothing modelled: it cannot fail). */
  protected beforeMap(_chunk: PcpuChunk, _rs: number, _re: number): Result<void> {
    return ok();
  }

  /**
   * pcpu_get_pages: the page array populate fills, pcpu_mem_zalloc'ed at the first populate
   * ("static struct page **pages") and kept for good: memory the allocator holds from then on.
   */
  protected getPages(): Result<void> {
    if (this.pageArray !== undefined) return ok();
    const got = this.machine.kmalloc.alloc(pageArrayBytes(this.nrUnits), this.machine.currentNode);
    if (!got.ok) return err("ENOMEM", `pcpu_get_pages: ${got.message}`);
    this.pageArray = got.value;
    return ok();
  }

  /** pcpu_alloc_pages' unwind ("err: ... __free_page"): the pages a failed populate took. */
  protected unwindPages(pfns: readonly number[]): void {
    for (const pfn of pfns) this.machine.pages.free(pfn);
  }

  /** pcpu_depopulate_chunk: unmap and free pages [rs, re); the TLB flush comes later. */
  protected depopulateChunk(chunk: PcpuChunk, rs: number, re: number): void {
    const m = this.machine;
    let pending = this.tlbPending.get(chunk);
    if (pending === undefined) {
      pending = new Map();
      this.tlbPending.set(chunk, pending);
    }
    for (const cpu of m.cpus.possibleList) {
      const pages = chunk.pages.get(cpu) as (number | null)[];
      for (let page = rs; page < re; page++) {
        this.work.loopIterations++;
        const pfn = pages[page];
        if (pfn === null || pfn === undefined) {
          throw new MachineError(
            `${this.name}: chunk ${chunk.id} page ${page} of cpu ${cpu} is not populated`,
          );
        }
        pending.set(this.pageAddr(chunk, cpu, page), page);
        m.pages.free(pfn);
        pages[page] = null;
      }
    }
  }

  /** pcpu_post_unmap_tlb_flush over pages [start, end): stale translations end. */
  protected flushTlb(chunk: PcpuChunk, start: number, end: number): void {
    const pending = this.tlbPending.get(chunk);
    if (pending === undefined) return;
    for (const [addr, page] of [...pending]) {
      if (page < start || page >= end) continue;
      this.machine.vmalloc.unmap(addr);
      pending.delete(addr);
    }
  }
}
