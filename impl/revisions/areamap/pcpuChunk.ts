/**
 * `struct pcpu_chunk` of the 2009 allocator and its area map (mm/percpu.c of 2.6.30, Tejun
 * Heo): an array of ints over one unit's offsets, a positive entry a free area of that many
 * bytes, a negative one an allocated area; the entries' absolute values add up to the unit size.
 *
 *   unit offsets  0        16384    16388          16400                     32768
 *                 | static+reserved | obj |  free  |  obj  |      free       |
 *   map           [ -16384          , -4  ,  +12   ,  -36  ,     +16332      ]
 *                                            ^ first fit for 8 bytes aligned 4 lands here
 *
 * Rules (mm/percpu.c: pcpu_alloc_area, pcpu_split_block, pcpu_free_area; the map search is
 * "mostly copied from the percpu_modalloc() allocator" of kernel/module.c):
 * - Alignment is the kernel's ALIGN (kernelAlign), which 2.6.30 applies to whatever alignment
 *   up to PAGE_SIZE it is given: not a power of two, or 0, whose negative head makes the split
 *   below insert a "used" entry of -off bytes and hand out offset 0 (what the C code does).
 * - Allocation scans the entries in order (first fit); the head needed for alignment and the
 *   tail left over are split off as entries of their own, except a head or tail smaller than
 *   sizeof(int), which stays with the allocation (a tail) or goes to the previous entry (a
 *   head: added to a free previous entry, or to a used one, whose size grows by it); a head is
 *   also merged whenever the previous entry is free.
 * - pcpu_split_block needs map_alloc >= map_used + the entries it adds (BUG_ON otherwise):
 *   the caller extends the map first (pcpu_need_to_extend: at least two spare entries).
 * - The contig hint is "guaranteed to be equal to or larger than the maximum contiguous area
 *   in the chunk": after a fit it is the largest free area seen when the scan reached the last
 *   entry, else the larger of the old hint and the free areas seen; after a full scan without a
 *   fit it is exact; a free raises it to the merged area if that is larger.
 * - A free looks the offset up by walking the map (BUG_ON when no entry starts there or the
 *   entry is free: a double free), negates the entry and merges it with a free previous and a
 *   free next entry.
 */
import type { WorkCounters } from "../simulatedAllocator.ts";
import { MachineError } from "../../machine/index.ts";

/**
 * The kernel's ALIGN(x, a) = (x + a - 1) & ~(a - 1) on ints, for any `a`: the next multiple
 * for a power of two; for another `a` it only clears the bits of a - 1 (ALIGN(2, 3) = 4,
 * ALIGN(5, 3) = 5, so the result need not be a multiple of a, but it is never below x); for 0 it
 * is 0, so the head ALIGN(off, 0) - off is -off.
 */
export function kernelAlign(x: number, a: number): number {
  return ((x + a - 1) & ~(a - 1)) | 0;
}

/** sizeof(int): heads and tails smaller than this are merged, not split off. */
export const INT_SIZE = 4;

/** Where a chunk's map lives: the first chunk's static array, kzalloc, or vmalloc. */
export type MapMemory =
  | { readonly kind: "static" }
  | { readonly kind: "kmalloc"; readonly addr: number }
  | { readonly kind: "vmalloc"; readonly addr: number };

/** The contig hint after a fit: (old hint, largest free area seen, scan reached the last). */
export type HintAfterFit = (hint: number, maxContig: number, isLast: boolean) => number;

export class PcpuChunk {
  readonly id: number;
  /** The first chunk: static and reserved areas at its head, never reclaimed (immutable). */
  readonly first: boolean;
  /** base_addr: unit 0's start; CPU c's unit is at base + unit_offsets[c]. */
  readonly base: number;
  /** The chunk struct (kzalloc'd), absent for the first chunk (boot memory). */
  readonly structAddr: number | undefined;
  /** The area map: map_used entries (`map.length`) of map_alloc. */
  map: number[];
  mapAlloc: number;
  mapMemory: MapMemory;
  freeSize: number;
  contigHint: number;
  /**
   * One flag per page index of a unit: CPU 0's page pointer is set (pcpu_chunk_page_occupied,
   * which 2.6.30 takes as "populated for every possible CPU").
   */
  readonly populated: Uint8Array;
  /**
   * chunk->page[]: the page of CPU c's unit page i at pcpu_page_idx(c, i) = c x unit_pages + i,
   * as a pfn; absent: NULL. 2.6.30 keeps one pointer per possible CPU and unit page.
   */
  readonly pageAr = new Map<number, number>();
  /** Live objects in the chunk (the model's count, for `inspect`). */
  live = 0;
  /** The slot list the chunk is on (pcpu_slot[slot]), -1 before the first relocation. */
  slot = -1;

  constructor(args: {
    id: number;
    first: boolean;
    base: number;
    structAddr: number | undefined;
    map: number[];
    mapAlloc: number;
    mapMemory: MapMemory;
    unitPages: number;
  }) {
    this.id = args.id;
    this.first = args.first;
    this.base = args.base;
    this.structAddr = args.structAddr;
    this.map = args.map;
    this.mapAlloc = args.mapAlloc;
    this.mapMemory = args.mapMemory;
    this.freeSize = args.map.reduce((s, e) => s + (e > 0 ? e : 0), 0);
    this.contigHint = args.map.reduce((s, e) => Math.max(s, e), 0);
    this.populated = new Uint8Array(args.unitPages);
  }

  get mapUsed(): number {
    return this.map.length;
  }

  /**
   * pcpu_split_block: inserts a `head`-byte free entry before entry i and/or a `tail`-byte free
   * entry after the target; BUG_ON when the map has no room for them.
   */
  splitBlock(i: number, head: number, tail: number): void {
    const extra = (head !== 0 ? 1 : 0) + (tail !== 0 ? 1 : 0);
    if (this.mapAlloc < this.mapUsed + extra) {
      throw new MachineError(
        `pcpu_split_block: BUG: chunk ${this.id} map has ${this.mapAlloc} entries, ${this.mapUsed} used, ${extra} more needed`,
      );
    }
    let at = i;
    if (head !== 0) {
      const whole = this.map[at] as number;
      this.map.splice(at, 1, head, whole - head);
      at++;
    }
    if (tail !== 0) {
      this.map[at] = (this.map[at] as number) - tail;
      this.map.splice(at + 1, 0, tail);
    }
  }

  /**
   * pcpu_alloc_area: first fit of `size` bytes aligned `align`; the offset, or -1 (and an exact
   * contig hint) when no entry fits. `hintAfterFit` is the hint rule after a fit.
   */
  allocArea(size: number, align: number, hintAfterFit: HintAfterFit, work: WorkCounters): number {
    let maxContig = 0;
    for (let i = 0, off = 0; i < this.mapUsed; off += Math.abs(this.map[i++] as number)) {
      work.bitsScanned++;
      const isLast = i + 1 === this.mapUsed;
      let head = kernelAlign(off, align) - off;
      const entry = this.map[i] as number;
      work.comparisons++;
      if (entry < 0) continue;
      if (entry < head + size) {
        maxContig = Math.max(entry, maxContig);
        continue;
      }
      // A small head, or any head after a free entry, goes to the previous entry. `head <
      // sizeof(int)` compares as unsigned in C, so a negative head (align 0) is not "small".
      const smallHead = head >= 0 && head < INT_SIZE;
      if (head !== 0 && (smallHead || (this.map[i - 1] as number) > 0)) {
        const prev = this.map[i - 1] as number;
        if (prev > 0) this.map[i - 1] = prev + head;
        else {
          this.map[i - 1] = prev - head;
          this.freeSize -= head;
        }
        this.map[i] = entry - head;
        off += head;
        head = 0;
      }
      let tail = (this.map[i] as number) - head - size;
      if (tail < INT_SIZE) tail = 0;
      if (head !== 0 || tail > 0) {
        this.splitBlock(i, head, tail);
        if (head !== 0) {
          i++;
          off += head;
          maxContig = Math.max(this.map[i - 1] as number, maxContig);
        }
        if (tail > 0) maxContig = Math.max(this.map[i + 1] as number, maxContig);
      }
      this.contigHint = hintAfterFit(this.contigHint, maxContig, isLast);
      this.freeSize -= this.map[i] as number;
      this.map[i] = -(this.map[i] as number);
      return off;
    }
    this.contigHint = maxContig; // fully scanned
    return -1;
  }

  /** The index of the entry that starts at `off` and is allocated, or -1 (the BUG_ONs). */
  findAllocated(off: number, work: WorkCounters): number {
    for (let i = 0, at = 0; i < this.mapUsed; at += Math.abs(this.map[i++] as number)) {
      work.bitsScanned++;
      if (at === off) return (this.map[i] as number) < 0 ? i : -1;
      if (at > off) return -1;
    }
    return -1;
  }

  /** Marks entry i free again (the first half of pcpu_free_area). */
  markFree(i: number): void {
    const size = -(this.map[i] as number);
    this.map[i] = size;
    this.freeSize += size;
  }

  /** Merges free entry i into a free previous entry; the index of the merged entry. */
  mergeWithPrevious(i: number): number {
    if (i > 0 && (this.map[i - 1] as number) >= 0) {
      this.map[i - 1] = (this.map[i - 1] as number) + (this.map[i] as number);
      this.map.splice(i, 1);
      return i - 1;
    }
    return i;
  }

  /** Merges a free next entry into free entry i. */
  mergeWithNext(i: number): void {
    if (i + 1 < this.mapUsed && (this.map[i + 1] as number) >= 0) {
      this.map[i] = (this.map[i] as number) + (this.map[i + 1] as number);
      this.map.splice(i + 1, 1);
    }
  }

  /** The largest free entry (for tests and the white-box view). */
  largestFree(): number {
    return this.map.reduce((s, e) => Math.max(s, e), 0);
  }
}
