/**
 * bitmap-2017-kernel: bitmap-2017 (bitmapAllocator.ts, the same chunk code) in the configuration
 * a real kernel boots, that of `harnesses/linux`'s `pcpu-linux --small-unit` (6.12.117's
 * mm/percpu.c built in user space), so that `pcpu-verify diff` can hold the model to the C.
 *
 *   first chunk, one unit per possible CPU (pcpu_setup_first_chunk, embedded at boot)
 *   | static 4 KiB | reserved 8 KiB       | dynamic 20 KiB                              |
 *                  ^pcpu_reserved_chunk    ^pcpu_first_chunk (slot 12, fully populated)
 *   dynamic chunks: 32 KiB units in the same unit order, made and populated on demand
 *
 * What this configuration adds to bitmap-2017, each from 6.12's source:
 * - Units as pcpu_build_alloc_info gives them (allocInfo.ts): CPUs grouped by node, groups in
 *   the order of their first CPU, padding units where a group is not a multiple of upa; the
 *   groups at the offsets pcpu_embed_first_chunk finds between them (linuxMemoryMap.ts).
 * - The reserved chunk and the first chunk (pcpu_alloc_first_chunk, firstChunk.ts): immutable,
 *   fully populated at boot; pcpu_nr_empty_pop_pages starts at the first chunk's empty pages
 *   (the reserved chunk's never count: pcpu_update_empty_pages); pcpu_nr_populated counts the
 *   whole size_sum. `alloc` with `reserved` is served from the reserved chunk only.
 *   pcpu_should_reclaim_chunk never isolates either. Percpu pointers are offsets from
 *   pcpu_base_addr (__addr_to_pcpu_ptr), as the kernel's are.
 * - Alignments 0 to 3 are served at 4 (6.12 raises them before its power-of-two check).
 * - The balance worker is scheduled, not run: pcpu_schedule_balance_work marks it pending and
 *   `reclaim` runs it, as a workqueue would, so an atomic allocation after a schedule meets the
 *   state the kernel's would.
 * - Fault points as pcpu-linux counts them ("every allocation the kernel makes"): each of a
 *   chunk's four pcpu_mem_zalloc's, pcpu_get_vm_areas' pointer array and one vm_struct per
 *   group, pcpu_get_pages' page array (once, then kept), every data page, and a page-table page
 *   for each 2 MiB of vmalloc space first mapped (pcpu_map_pages, CPU by CPU).
 * - Metadata in bytes (`stats` meta_bytes, the kernel's sizes: a chunk's struct and maps,
 *   72-byte vm_structs, the page array), not in slab pages, as pcpu-linux accounts it:
 *   `pages_by_node` holds data pages and the first chunk's boot memory.
 *
 * What still differs is listed in bitmapKernelPool.ts (`differences`, `list --json`).
 */
import type { BootConfig, Capability } from "../../allocator.ts";
import {
  DEFAULT_VMALLOC_BYTES,
  MAX_VMALLOC_BYTES,
  PAGE_SIZE,
  totalPages,
  validateBootConfig,
  type Machine,
} from "../../machine/index.ts";
import { err, isIntIn, ok, type Result } from "../../result.ts";
import { fs_reclaim, type Lock, type Operation } from "../../sections/index.ts";
import type { DesignUsage, SizeAlign } from "../simulatedAllocator.ts";
import { PCPU_MIN_ALLOC_SIZE } from "./chunkMaps.ts";
import { buildAllocInfo, type AllocInfo, type FirstChunkGeometry } from "./allocInfo.ts";
import { BitmapAllocator } from "./bitmapAllocator.ts";
import { allocFirstChunk } from "./firstChunk.ts";
import { LinuxVmSpace, linuxGroupOffsets } from "./linuxMemoryMap.ts";
import type { PcpuChunk } from "./pcpuChunk.ts";
import { BITMAP_DATA_OWNER, pageArrayBytes, PCPU_UNIT_SIZE } from "./percpuVm.ts";

const FS_RECLAIM: readonly Lock[] = [fs_reclaim];

/** pcpu-linux --small-unit's first chunk. */
export const KERNEL_GEOMETRY: FirstChunkGeometry = {
  staticSize: 4096,
  reservedSize: 8192,
  dynSize: 20480,
  atomSize: PAGE_SIZE,
};

/** sizeof(struct vm_struct) on 6.12 x86_64 (CONFIG_HAVE_ARCH_HUGE_VMALLOC): 72 bytes. */
const VM_STRUCT_SIZE = 72;

/** Page owner of the first chunk's boot memory. */
export const FIRST_CHUNK_OWNER = "percpu-first-chunk";

export class BitmapKernelAllocator extends BitmapAllocator {
  override readonly name: string = "bitmap-2017-kernel";
  override readonly revision: string = "bitmap-2017-kernel";
  override readonly capabilities: readonly Capability[] = [
    "cpu_add",
    "cpu_remove",
    "fail_page_alloc",
    "reclaim",
    "inspect",
    "gfp",
    "reserved",
    "threads",
  ];
  private info: AllocInfo | undefined;
  private reserved: PcpuChunk | undefined;
  private first: PcpuChunk | undefined;
  /** The balance work item is queued (pcpu_schedule_balance_work since the last run). */
  private workPending = false;
  /** pcpu_unit_offsets: a group's offset plus the unit's place in it (linuxMemoryMap.ts). */
  private unitOffsets = new Map<number, number>();
  /** Each group's offset and area size, and the span a chunk's areas take. */
  private groupAreas: { readonly offset: number; readonly size: number }[] = [];
  private span = 0;
  /** pcpu-linux's vmalloc space, for where page-table pages fall; a chunk's base there. */
  private linuxVm = new LinuxVmSpace();
  private linuxBase = new Map<number, { readonly base: number; readonly structs: number[] }>();
  /** Bytes of percpu vm areas (the sizes, as pcpu-linux limits them by vmalloc_bytes). */
  private vmTotal = 0;
  private vmLimit = 0;
  /** Metadata bytes by handle (pcpu_mem_zalloc), and the next handle. */
  private meta = new Map<number, number>();
  private nextMeta = 1;

  protected override reset(machine: Machine): void {
    super.reset(machine);
    const info = buildAllocInfo(KERNEL_GEOMETRY, machine.cpus.possibleList, (c) =>
      machine.cpus.cpuToNode(c),
    );
    if (info.unitSize !== PCPU_UNIT_SIZE) {
      throw new RangeError(
        `${this.name}: the geometry gives ${info.unitSize}-byte units, not 32 KiB`,
      );
    }
    this.info = info;
    this.unitOf = new Map(info.unitOf);
    this.nrUnits = info.nrUnits;
    const offsets = linuxGroupOffsets(info, KERNEL_GEOMETRY.atomSize, info.unitOf.size);
    this.groupAreas = info.groups.map((g, i) => ({
      offset: offsets[i] as number,
      size: g.cpuMap.length * info.unitSize,
    }));
    this.span = Math.max(...this.groupAreas.map((g) => g.offset + g.size));
    this.unitOffsets = new Map();
    info.groups.forEach((g, i) =>
      g.cpuMap.forEach((cpu, k) => {
        if (cpu >= 0) this.unitOffsets.set(cpu, (offsets[i] as number) + k * info.unitSize);
      }),
    );
    this.linuxVm = new LinuxVmSpace();
    this.linuxBase = new Map();
    this.vmTotal = 0;
    this.workPending = false;
    this.meta = new Map();
    this.nextMeta = 1;
    this.setupFirstChunk(machine, info);
  }

  /** pcpu_embed_first_chunk + pcpu_setup_first_chunk: boot memory, the reserved and first chunks. */
  private setupFirstChunk(m: Machine, info: AllocInfo): void {
    const area = m.vmalloc.reserve(this.span, FIRST_CHUNK_OWNER);
    if (!area.ok)
      throw new RangeError(`${this.name}: no room for the first chunk: ${area.message}`);
    const base = area.value.addr;
    // pcpu_base_addr: percpu pointers are offsets from it, as the kernel's are.
    this.ptrBase = base;
    const pagesPerUnit = info.sizeSum / PAGE_SIZE;
    const boot = new Map<number, number[]>();
    for (const cpu of info.unitOf.keys()) {
      const pfns: number[] = [];
      for (let p = 0; p < pagesPerUnit; p++) {
        const frame = m.pages.alloc({ node: m.cpus.cpuToNode(cpu), owner: FIRST_CHUNK_OWNER });
        if (!frame.ok) throw new RangeError(`${this.name}: boot memory: ${frame.message}`);
        m.vmalloc.map(base + this.unitOffset(cpu) + p * PAGE_SIZE, frame.value.pfn);
        pfns.push(frame.value.pfn);
      }
      boot.set(cpu, pfns);
    }
    const region = (id: number, start: number, size: number): PcpuChunk => {
      const { chunk } = allocFirstChunk(id, base + start, size, this.counters, this.work);
      const firstPage = (chunk.base - base) / PAGE_SIZE;
      for (const [cpu, pfns] of boot) {
        chunk.pages.set(cpu, pfns.slice(firstPage, firstPage + chunk.nrPages));
      }
      return chunk;
    };
    if (info.reservedSize > 0) {
      this.reserved = region(0, info.staticSize, info.reservedSize);
      this.reserved.reserved = true;
    } else {
      this.reserved = undefined;
    }
    this.first = region(1, info.staticSize + info.reservedSize, info.dynSize);
    this.first.firstChunk = true;
    this.nextChunkId = 2;
    this.counters.nrEmptyPopPages = this.first.nrEmptyPopPages;
    this.slots.relocate(this.first, -1);
    this.counters.nrPopulated += Math.floor(info.sizeSum / PAGE_SIZE);
  }

  protected override staticPages(): number {
    const info = this.info as AllocInfo;
    return info.sizeSum / PAGE_SIZE - (this.first?.nrPages ?? 0) - (this.reserved?.nrPages ?? 0);
  }

  protected override reservedChunk(): PcpuChunk | undefined {
    return this.reserved;
  }

  protected override allChunks(): PcpuChunk[] {
    const listed = super.allChunks();
    return this.reserved === undefined ? listed : [this.reserved, ...listed];
  }

  /** As pcpu-linux lists them: the reserved chunk, then slot by slot, in list order. */
  protected override inspectOrder(): PcpuChunk[] {
    return this.allChunks();
  }

  protected override shouldReclaimChunk(chunk: PcpuChunk): boolean {
    // "do not reclaim either the first chunk or reserved chunk"
    if (chunk === this.first || chunk === this.reserved) return false;
    return super.shouldReclaimChunk(chunk);
  }

  protected override scheduleBalanceWork(): void {
    this.workPending = true;
  }

  /** 6.12.117's backing allocations are GFP_KERNEL: they may enter filesystem reclaim. */
  protected override backingTouch(): readonly Lock[] {
    return FS_RECLAIM;
  }

  /** 6.12.117 reads pcpu_nr_empty_pop_pages for the LOW check after mutex_unlock, unlocked. */
  protected override watermarkUnlocked(): boolean {
    return true;
  }

  /** The work item is taken off the queue as its function starts: a schedule meanwhile queues it again. */
  protected override *balanceWorkSections(): Operation<void> {
    this.workPending = false;
    yield* super.balanceWorkSections();
  }

  /** Whether the balance work is queued (white-box tests). */
  get balanceWorkPending(): boolean {
    return this.workPending;
  }

  // ---- allocations fault injection counts -----------------------------------------------

  protected override allocMeta(size: number): Result<number> {
    const f = this.machine.pages.faultPoint(`pcpu_mem_zalloc(${size})`);
    if (!f.ok) return f;
    const handle = this.nextMeta++;
    this.meta.set(handle, size);
    return { ok: true, value: handle };
  }

  protected override freeMeta(handle: number): void {
    this.meta.delete(handle);
  }

  /**
   * pcpu_alloc_noprof's limits in 6.12: an alignment below PCPU_MIN_ALLOC_SIZE is raised to it
   * before the power-of-two check ("alignment must be a minimum of that many bytes"), so 0 to 3
   * are served at 4; then a power of two up to PAGE_SIZE, a size 1..PCPU_MIN_UNIT_SIZE.
   */
  protected override checkSizeAlign(size: number, align: number): Result<SizeAlign> {
    if (isIntIn(align, 0, PCPU_MIN_ALLOC_SIZE - 1)) return super.checkSizeAlign(size, 0);
    return super.checkSizeAlign(size, align);
  }

  protected override unitOffset(cpu: number): number {
    const off = this.unitOffsets.get(cpu);
    if (off === undefined) throw new RangeError(`${this.name}: cpu ${cpu} has no unit`);
    return off;
  }

  override boot(config: BootConfig): Result<void> {
    const valid = validateBootConfig(config);
    if (!valid.ok) return valid;
    // The model's vm areas take each chunk's whole span; the limit is pcpu-linux's, on sizes.
    const r = super.boot({ ...config, vmallocBytes: MAX_VMALLOC_BYTES });
    if (r.ok) this.vmLimit = config.vmallocBytes ?? DEFAULT_VMALLOC_BYTES;
    return r;
  }

  protected override getVmAreas(): Result<number> {
    // kzalloc of the vm_struct pointer array, then one vm_struct per group.
    const structs: number[] = [];
    const fail = (why: string): Result<number> => {
      for (const h of structs) this.freeMeta(h);
      return err("ENOMEM", `pcpu_get_vm_areas: ${why}`);
    };
    for (const bytes of [
      8 * this.groupAreas.length,
      ...this.groupAreas.map(() => VM_STRUCT_SIZE),
    ]) {
      const got = this.allocMeta(bytes);
      if (!got.ok) return fail(got.message);
      structs.push(got.value);
    }
    const total = this.groupAreas.reduce((sum, g) => sum + g.size, 0);
    if (this.vmTotal + total > this.vmLimit) return fail(`vmalloc_bytes ${this.vmLimit} reached`);
    const linux = this.linuxVm.reserve(this.span, KERNEL_GEOMETRY.atomSize);
    if (linux === undefined) return fail("no vmalloc space");
    const area = this.machine.vmalloc.reserve(this.span, "percpu");
    if (!area.ok) {
      for (const g of this.groupAreas) this.linuxVm.release(linux + g.offset, g.size);
      return fail(area.message);
    }
    this.vmTotal += total;
    this.linuxBase.set(area.value.addr, { base: linux, structs });
    return { ok: true, value: area.value.addr };
  }

  protected override freeVmAreas(chunk: PcpuChunk): void {
    super.freeVmAreas(chunk);
    const linux = this.linuxBase.get(chunk.base);
    if (linux === undefined) return;
    this.linuxBase.delete(chunk.base);
    for (const g of this.groupAreas) {
      this.linuxVm.release(linux.base + g.offset, g.size);
      this.vmTotal -= g.size;
    }
    for (const h of linux.structs) this.freeMeta(h);
  }

  /** pcpu_map_pages: a page-table page per 2 MiB of vmalloc space first mapped, CPU by CPU. */
  protected override beforeMap(chunk: PcpuChunk, rs: number, re: number): Result<void> {
    const linux = this.linuxBase.get(chunk.base)?.base;
    if (linux === undefined) return ok();
    for (const cpu of this.machine.cpus.possibleList) {
      for (let page = rs; page < re; page++) {
        const addr = linux + this.unitOffset(cpu) + page * PAGE_SIZE;
        if (!this.linuxVm.needsPageTable(addr)) continue;
        const f = this.machine.pages.faultPoint("page table of the vmalloc area");
        if (!f.ok) return err("ENOMEM", `pcpu_map_pages: ${f.message}`);
        this.linuxVm.addPageTable(addr);
      }
    }
    return ok();
  }

  protected override getPages(): Result<void> {
    if (this.pageArray !== undefined) return ok();
    const got = this.allocMeta(pageArrayBytes(this.nrUnits));
    if (!got.ok) return err("ENOMEM", `pcpu_get_pages: ${got.message}`);
    this.pageArray = got.value;
    return ok();
  }

  // ---- stats ----------------------------------------------------------------------------

  protected override usage(): DesignUsage {
    const chunks = this.allChunks();
    let meta = 0;
    for (const b of this.meta.values()) meta += b;
    return {
      unitBytes: chunks.reduce((s, c) => s + c.nrPages * PAGE_SIZE, 0),
      metaBytes: meta,
      // The group areas' bytes, as pcpu-linux counts them (the first chunk is boot memory).
      vmBytes: this.vmTotal,
      memRefsPerDeref: 1,
    };
  }

  /** Data pages held (the first chunk's boot memory included), for white-box tests. */
  get dataPages(): number {
    const m = this.machine;
    return (
      totalPages(m.pages.heldBy(BITMAP_DATA_OWNER)) + totalPages(m.pages.heldBy(FIRST_CHUNK_OWNER))
    );
  }
}
