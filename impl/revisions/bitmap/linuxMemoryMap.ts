/**
 * The memory map of harnesses/linux's machine (machine.c, kernel.c), as far as it decides where
 * the allocator's memory lies: bitmap-2017-kernel follows it so that `diff` can hold the model
 * to the real code on every fault point, page-table pages included.
 *
 *   physical memory: | node 0 boot | node 1 boot | ... | node 0 dynamic | node 1 dynamic | ...
 *                      each boot zone round_up((possible + 1) × alloc_size / PAGE + 1024, 512)
 *                      pages; node 0's starts with the allocator's boot tables (memblock_alloc
 *                      without a node, each followed by a guard page): pcpu_alloc_alloc_info's,
 *                      then pcpu_embed_first_chunk's areas array; then each group's units
 *                      (pcpu_fc_alloc on the group's node, atom-aligned)
 *
 *   group offsets (pcpu_embed_first_chunk): each group's address less the lowest group's
 *
 *   vmalloc space: | chunk 0's span: group 0 ... group n | chunk 1's span | ...
 *                    pcpu_get_vm_areas takes the first free extent that holds the whole span
 *                    [base, base + max(offset + size)), base atom-aligned; pcpu_free_vm_areas
 *                    gives back each group's area (the gaps between groups are not returned)
 *
 *   page tables: one page per 2 MiB of vmalloc space, allocated when the first page in it is
 *                mapped and kept: an allocation fault injection counts
 */
import { PAGE_SIZE } from "../../machine/index.ts";
import type { AllocInfo } from "./allocInfo.ts";

/** machine.c's ZONE_ALIGN_PAGES: zones are 2 MiB-aligned. */
const ZONE_ALIGN_PAGES = 512;
/** machine.c's VMALLOC_BASE. */
export const LINUX_VMALLOC_BASE = 0x2000_0000_0000;
/** machine.c's VMALLOC_SPAN. */
const LINUX_VMALLOC_SPAN = 2 ** 40;
/** One page-table page maps 2 MiB. */
const PTE_SPAN = 2 * 1024 * 1024;

const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

/** sizeof(struct pcpu_alloc_info) with its groups and cpu_map, as pcpu_alloc_alloc_info sizes it. */
function allocInfoBytes(nrGroups: number, nrUnits: number): number {
  // 6 size_t fields, __ai_size, nr_groups (+4 padding); a pcpu_group_info is 24 bytes.
  const base = roundUp(7 * 8 + 8 + nrGroups * 24, 4);
  return base + nrUnits * 4;
}

/**
 * The group offsets pcpu_embed_first_chunk computes on pcpu-linux's machine for `info`, with
 * `atomSize` and nodes laid out in node order.
 */
export function linuxGroupOffsets(info: AllocInfo, atomSize: number, nrPossible: number): number[] {
  const allocSize = info.unitSize * info.upa;
  const bootPages = roundUp(((nrPossible + 1) * allocSize) / PAGE_SIZE + 1024, ZONE_ALIGN_PAGES);
  const alignPages = Math.max(1, atomSize / PAGE_SIZE);
  const next = new Map<number, number>();
  const zoneStart = (node: number) => node * bootPages;
  // Node 0's boot zone: the alloc info and the areas array, each with its guard page.
  const infoPages =
    roundUp(allocInfoBytes(info.groups.length, info.nrUnits), PAGE_SIZE) / PAGE_SIZE;
  const areasPages = roundUp(info.groups.length * 8, PAGE_SIZE) / PAGE_SIZE;
  next.set(0, infoPages + 1 + areasPages + 1);
  const addrs = info.groups.map((g) => {
    const start = roundUp(zoneStart(g.node) + (next.get(g.node) ?? 0), alignPages);
    next.set(g.node, start - zoneStart(g.node) + (g.cpuMap.length * info.unitSize) / PAGE_SIZE);
    return start * PAGE_SIZE;
  });
  const base = Math.min(...addrs);
  return addrs.map((a) => a - base);
}

interface Extent {
  start: number;
  end: number;
}

/** pcpu-linux's vmalloc space for percpu areas and its page-table pages. */
export class LinuxVmSpace {
  private free: Extent[] = [
    { start: LINUX_VMALLOC_BASE, end: LINUX_VMALLOC_BASE + LINUX_VMALLOC_SPAN },
  ];
  private readonly pageTables = new Set<number>();

  /** machine_vm_reserve: the base of a span [base + 0, base + hi), or undefined. */
  reserve(hi: number, align: number): number | undefined {
    const a = Math.max(align, PAGE_SIZE);
    for (const [i, e] of this.free.entries()) {
      const b = roundUp(e.start, a);
      if (b + hi > e.end) continue;
      const pieces: Extent[] = [];
      if (b > e.start) pieces.push({ start: e.start, end: b });
      if (b + hi < e.end) pieces.push({ start: b + hi, end: e.end });
      this.free.splice(i, 1, ...pieces);
      return b;
    }
    return undefined;
  }

  /** machine_vm_release of one area, merged with its free neighbours. */
  release(addr: number, size: number): void {
    this.free.push({ start: addr, end: addr + size });
    this.free.sort((x, y) => x.start - y.start);
    const merged: Extent[] = [];
    for (const e of this.free) {
      const last = merged[merged.length - 1];
      if (last !== undefined && last.end === e.start) last.end = e.end;
      else merged.push({ ...e });
    }
    this.free = merged;
  }

  /** Whether mapping `addr` needs a page-table page first. */
  needsPageTable(addr: number): boolean {
    return !this.pageTables.has(Math.floor((addr - LINUX_VMALLOC_BASE) / PTE_SPAN));
  }

  /** The page-table page for `addr` is there now. */
  addPageTable(addr: number): void {
    this.pageTables.add(Math.floor((addr - LINUX_VMALLOC_BASE) / PTE_SPAN));
  }
}
