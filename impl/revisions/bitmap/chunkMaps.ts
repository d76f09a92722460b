/**
 * The bitmaps of a `struct pcpu_chunk` (mm/percpu-internal.h) and the bit searches of
 * include/linux/bitmap.h the allocator uses on them, one byte per bit for clarity.
 *
 *   alloc_map (one bit per PCPU_MIN_ALLOC_SIZE = 4 bytes of a unit, 8192 bits for 32 KiB)
 *   |1|1|1|0|0|1|1|0|0|0|0|0| ... |
 *   bound_map (one bit longer: a bit at each area's start and one past its end)
 *   |1|0|0|1|0|1|0|1|0|0|0|0| ... |1|
 *    ^a      ^end of a ^b ^end of b
 *   populated (one bit per page of the unit)
 *
 * The chunk keeps `free_bytes`, `nr_populated`, `nr_empty_pop_pages` and `isolated`; the
 * global `pcpu_nr_populated` and `pcpu_nr_empty_pop_pages` live in `PercpuCounters`, shared
 * by the chunks ("the global empty count leaves out the isolated chunks": pcpu_update_empty_pages).
 * Work is counted in bits examined (`bitsScanned`).
 */
import type { WorkCounters } from "../simulatedAllocator.ts";
import { initBlockMd, type PcpuBlockMd } from "./blockMd.ts";

/** PCPU_MIN_ALLOC_SIZE: one allocation bit covers 4 bytes. */
export const PCPU_MIN_ALLOC_SIZE = 4;
/** PCPU_BITMAP_BLOCK_SIZE = PAGE_SIZE, in bits: 1024. */
export const PCPU_BITMAP_BLOCK_BITS = 4096 / PCPU_MIN_ALLOC_SIZE;

/** pcpu_nr_populated and pcpu_nr_empty_pop_pages (mm/percpu.c globals). */
export interface PercpuCounters {
  nrPopulated: number;
  nrEmptyPopPages: number;
}

/** A page of one CPU's unit: its frame, or null when not populated. */
export type UnitPage = number | null;

export class ChunkMaps {
  readonly id: number;
  /** chunk->base_addr: the start of the chunk's vm area (unit 0). */
  readonly base: number;
  readonly nrPages: number;
  readonly mapBits: number;
  readonly allocMap: Uint8Array;
  readonly boundMap: Uint8Array;
  readonly populated: Uint8Array;
  readonly mdBlocks: PcpuBlockMd[];
  readonly chunkMd: PcpuBlockMd;
  freeBytes: number;
  /** The bytes it can serve: its pages' bytes but what the first chunk hides (start and end offsets). */
  capacity: number;
  /** pcpu_reserved_chunk: never on the global empty-page count. */
  reserved = false;
  /** chunk->immutable: a first-chunk region, populated at boot and never depopulated. */
  immutable = false;
  /** pcpu_first_chunk: the first chunk's dynamic region. */
  firstChunk = false;
  nrPopulated = 0;
  nrEmptyPopPages = 0;
  isolated = false;
  /** Pages per possible CPU, by page index. */
  readonly pages = new Map<number, UnitPage[]>();
  /** Where the chunk's metadata was kmalloc'ed (struct, alloc_map, bound_map, md_blocks). */
  readonly meta: number[];
  protected readonly counters: PercpuCounters;
  protected readonly work: WorkCounters;

  constructor(
    id: number,
    base: number,
    nrPages: number,
    meta: number[],
    counters: PercpuCounters,
    work: WorkCounters,
  ) {
    this.id = id;
    this.base = base;
    this.nrPages = nrPages;
    this.mapBits = (nrPages * 4096) / PCPU_MIN_ALLOC_SIZE;
    this.allocMap = new Uint8Array(this.mapBits);
    this.boundMap = new Uint8Array(this.mapBits + 1);
    this.populated = new Uint8Array(nrPages);
    this.mdBlocks = Array.from({ length: nrPages }, () => initBlockMd(PCPU_BITMAP_BLOCK_BITS));
    this.chunkMd = initBlockMd(this.mapBits);
    this.freeBytes = nrPages * 4096;
    this.capacity = this.freeBytes;
    this.meta = meta;
    this.counters = counters;
    this.work = work;
  }

  get nrBlocks(): number {
    return this.mdBlocks.length;
  }

  /** The md block of bit `index`, or an error naming the chunk (a model bug otherwise). */
  block(index: number): PcpuBlockMd {
    const b = this.mdBlocks[index];
    if (b === undefined) {
      throw new RangeError(`chunk ${this.id}: no md block ${index} (it has ${this.nrBlocks})`);
    }
    return b;
  }

  // ---- bit searches (lib/find_bit.c); a bit past the map reads as clear ----------------

  /** find_next_zero_bit(map, size, start). */
  nextZero(map: Uint8Array, size: number, start: number): number {
    let i = start;
    while (i < size && map[i] === 1) i++;
    this.work.bitsScanned += Math.max(0, i - start + 1);
    return Math.min(i, size);
  }

  /** find_next_bit(map, size, start). */
  nextSet(map: Uint8Array, size: number, start: number): number {
    let i = start;
    while (i < size && map[i] !== 1) i++;
    this.work.bitsScanned += Math.max(0, i - start + 1);
    return Math.min(i, size);
  }

  /** find_last_bit over bits [from, from + size): the last set bit's offset, or `size`. */
  lastSet(map: Uint8Array, from: number, size: number): number {
    for (let i = size - 1; i >= 0; i--) {
      this.work.bitsScanned++;
      if (map[from + i] === 1) return i;
    }
    return size;
  }

  /** bitmap_set / bitmap_clear. */
  fill(map: Uint8Array, start: number, count: number, value: 0 | 1): void {
    map.fill(value, start, start + count);
  }

  /** The clear bits of the alloc map. */
  clearBits(): number {
    let n = 0;
    for (const b of this.allocMap) n += 1 - b;
    return n;
  }

  // ---- populated bookkeeping ------------------------------------------------------------

  /** pcpu_update_empty_pages: the chunk's count, and the global one unless isolated. */
  updateEmptyPages(nr: number): void {
    this.nrEmptyPopPages += nr;
    if (!this.reserved && !this.isolated) this.counters.nrEmptyPopPages += nr;
  }

  /** pcpu_chunk_populated: pages [start, end) now have memory for every possible CPU. */
  chunkPopulated(start: number, end: number): void {
    const nr = end - start;
    this.populated.fill(1, start, end);
    this.nrPopulated += nr;
    this.counters.nrPopulated += nr;
    this.updateEmptyPages(nr);
  }

  /** pcpu_chunk_depopulated: pages [start, end) were freed. */
  chunkDepopulated(start: number, end: number): void {
    const nr = end - start;
    this.populated.fill(0, start, end);
    this.nrPopulated -= nr;
    this.counters.nrPopulated -= nr;
    this.updateEmptyPages(-nr);
  }

  /** The page ranges [rs, re) in [start, end) whose populated bit is `value`. */
  populatedRegions(value: 0 | 1, start: number, end: number): [number, number][] {
    const out: [number, number][] = [];
    let i = start;
    while (i < end) {
      if (this.populated[i] !== value) {
        i++;
        continue;
      }
      let j = i;
      while (j < end && this.populated[j] === value) j++;
      out.push([i, j]);
      i = j;
    }
    return out;
  }

  /** pcpu_isolate_chunk: off the global empty count (the caller moves it to a list). */
  isolate(): void {
    if (this.isolated) return;
    this.isolated = true;
    this.counters.nrEmptyPopPages -= this.nrEmptyPopPages;
  }

  /** pcpu_reintegrate_chunk's counting half (the caller relocates it). */
  reintegrate(): void {
    if (!this.isolated) return;
    this.isolated = false;
    this.counters.nrEmptyPopPages += this.nrEmptyPopPages;
  }
}
