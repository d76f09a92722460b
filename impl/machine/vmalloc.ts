/**
 * The vmalloc area: reserve and release virtual areas, map pages into them.
 *
 *   VMALLOC_START                                              VMALLOC_START + limit
 *   |[ area 0 ][g][ area 1 ......... ][g]      [ area 2 ][g]   |
 *
 * `get_vm_area` finds the first gap that holds the size plus one guard page (g), as the
 * kernel's VM_NO_GUARD-less areas do; the guard page is never mapped, so running off the end of
 * an area faults. Mapping is page-granular; an address translates to (pfn, offset) only where a
 * page is mapped: anything else is a fault (EFAULT), never a silent read.
 */
import { PAGE_SIZE, VMALLOC_START } from "./layout.ts";
import { MachineError } from "./machineError.ts";
import { err, type Result } from "../result.ts";

export interface VmArea {
  readonly addr: number;
  /** Requested size in bytes (page multiple), without the guard page. */
  readonly size: number;
  readonly owner: string;
}

export class VmallocArea {
  readonly start = VMALLOC_START;
  readonly limit: number;
  /** Areas sorted by address. */
  private readonly areas: VmArea[] = [];
  /** Virtual page number -> pfn. */
  private readonly pageTable = new Map<number, number>();
  /** Bytes reserved (sizes, without guard pages). */
  reservedBytes = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** get_vm_area: the first gap that fits `size` plus a guard page. */
  reserve(size: number, owner: string): Result<VmArea> {
    if (size <= 0 || size % PAGE_SIZE !== 0) {
      throw new MachineError(`vmalloc: area size ${size} is not a positive multiple of PAGE_SIZE`);
    }
    const span = size + PAGE_SIZE;
    let cursor = this.start;
    let index = 0;
    for (; index < this.areas.length; index++) {
      const a = this.areas[index] as VmArea;
      if (a.addr - cursor >= span) break;
      cursor = a.addr + a.size + PAGE_SIZE;
    }
    if (cursor + span > this.start + this.limit) {
      return err(
        "ENOMEM",
        `vmalloc: no room for ${size} bytes (+guard) in the ${this.limit}-byte vmalloc area`,
      );
    }
    const area: VmArea = { addr: cursor, size, owner };
    this.areas.splice(index, 0, area);
    this.reservedBytes += size;
    return { ok: true, value: area };
  }

  /** Releases an area; every page in it must already be unmapped. */
  release(addr: number): void {
    const index = this.areas.findIndex((a) => a.addr === addr);
    const area = this.areas[index];
    if (area === undefined) throw new MachineError(`vmalloc: no area at 0x${addr.toString(16)}`);
    for (let va = area.addr; va < area.addr + area.size; va += PAGE_SIZE) {
      if (this.pageTable.has(va / PAGE_SIZE)) {
        throw new MachineError(
          `vmalloc: area 0x${addr.toString(16)} released with page 0x${va.toString(16)} still mapped`,
        );
      }
    }
    this.areas.splice(index, 1);
    this.reservedBytes -= area.size;
  }

  /** The area containing `addr`, if any. */
  areaOf(addr: number): VmArea | undefined {
    let lo = 0;
    let hi = this.areas.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const a = this.areas[mid] as VmArea;
      if (addr < a.addr) hi = mid - 1;
      else if (addr >= a.addr + a.size) lo = mid + 1;
      else return a;
    }
    return undefined;
  }

  /** Maps one page at a page-aligned address inside a reserved area. */
  map(addr: number, pfn: number): void {
    if (addr % PAGE_SIZE !== 0 || this.areaOf(addr) === undefined) {
      throw new MachineError(
        `vmalloc: map at 0x${addr.toString(16)}: not a page in a reserved area`,
      );
    }
    const vpn = addr / PAGE_SIZE;
    if (this.pageTable.has(vpn)) {
      throw new MachineError(`vmalloc: 0x${addr.toString(16)} is already mapped`);
    }
    this.pageTable.set(vpn, pfn);
  }

  /** Unmaps one page; returns the pfn that was mapped there. */
  unmap(addr: number): number {
    const vpn = addr / PAGE_SIZE;
    const pfn = this.pageTable.get(vpn);
    if (pfn === undefined) throw new MachineError(`vmalloc: 0x${addr.toString(16)} is not mapped`);
    this.pageTable.delete(vpn);
    return pfn;
  }

  /** The pfn mapped at the page containing `addr`, if any. */
  lookup(addr: number): number | undefined {
    return this.pageTable.get(Math.floor(addr / PAGE_SIZE));
  }

  contains(addr: number): boolean {
    return addr >= this.start && addr < this.start + this.limit;
  }

  get areaCount(): number {
    return this.areas.length;
  }

  get mappedPages(): number {
    return this.pageTable.size;
  }
}
