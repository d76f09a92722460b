/**
 * A chunk's area allocation (mm/percpu.c, the bitmap allocator of 4.14 with the 5.1 scan
 * hints): pcpu_find_block_fit, pcpu_alloc_area, pcpu_free_area and the hint updates they make.
 *
 *   chunk_md (hints over the whole chunk)
 *   +----------------------------------------------------------------+
 *   | block 0 md | block 1 md | block 2 md | ...       | block 7 md   |  one per page
 *   +----------------------------------------------------------------+
 *   alloc: find_block_fit walks the block hints (contig, left/right free across blocks) to
 *          a start; alloc_area scans at most start + bits + one block, remembers the largest
 *          area skipped (scan hint), sets the alloc bits and the two boundary bits; the hints
 *          are kept exact (a broken contig hint is rescanned).
 *   free:  the length comes from the next boundary bit; only the alloc bits are cleared; the
 *          block hints are exact, the chunk hint "may be off by up to a page, but it will never
 *          be more than the available space" (pcpu_block_update_hint_free).
 *
 * The hooks `blockOffAfter`, `scanEnd` and `bytesOf` are where the mutants of "percpu: fix
 * iteration to prevent skipping over block", "percpu: do not search past bitmap when
 * allocating an area" and the bytes-for-bits confusion differ.
 */
import { alignUp } from "../../machine/index.ts";
import { blockUpdate, nextHint } from "./blockMd.ts";
import { ChunkMaps, PCPU_BITMAP_BLOCK_BITS, PCPU_MIN_ALLOC_SIZE } from "./chunkMaps.ts";

const BLOCK = PCPU_BITMAP_BLOCK_BITS;

/** A free region as the md iterators return it. */
export interface Region {
  readonly bitOff: number;
  readonly bits: number;
}

function overlap(a: number, b: number, x: number, y: number): boolean {
  return a < y && x < b;
}

export class PcpuChunk extends ChunkMaps {
  /** Whether the chunk hint was last set by a full rescan (pcpu_chunk_refresh_hint(chunk, true)). */
  fullScanned = false;

  // ---- hooks -------------------------------------------------------------------------------

  /** The block offset checked in the next block: 0 (the fix of "skipping over block"). */
  protected blockOffAfter(_blockOff: number): number {
    return 0;
  }

  /** Where pcpu_alloc_area stops scanning: capped at the chunk's bits (the 2019 fix). */
  protected scanEnd(start: number, allocBits: number): number {
    return Math.min(start + allocBits + BLOCK, this.mapBits);
  }

  /** Bytes of `bits` allocation bits (free_bytes counts bytes). */
  protected bytesOf(bits: number): number {
    return bits * PCPU_MIN_ALLOC_SIZE;
  }

  // ---- md iterators --------------------------------------------------------------------

  /** pcpu_next_md_free_region: the next free area the hints know of, from `bitOff`. */
  nextMdFreeRegion(start: number): Region {
    let i = Math.floor(start / BLOCK);
    let blockOff = start % BLOCK;
    let bitOff = start;
    let bits = 0;
    for (; i < this.nrBlocks; i++) {
      this.work.loopIterations++;
      const block = this.block(i);
      if (bits !== 0) {
        bits += block.leftFree;
        if (block.leftFree === BLOCK) continue;
        return { bitOff, bits };
      }
      bits = block.contigHint;
      if (bits !== 0 && block.contigHintStart >= blockOff && bits + block.contigHintStart < BLOCK) {
        return { bitOff: i * BLOCK + block.contigHintStart, bits };
      }
      blockOff = this.blockOffAfter(blockOff);
      bits = block.rightFree;
      bitOff = (i + 1) * BLOCK - block.rightFree;
    }
    return { bitOff, bits };
  }

  /** pcpu_next_fit_region: the next area that fits `allocBits` at `align`, or mapBits. */
  nextFitRegion(allocBits: number, align: number, start: number): Region {
    let i = Math.floor(start / BLOCK);
    let blockOff = start % BLOCK;
    let bitOff = start;
    let bits = 0;
    for (; i < this.nrBlocks; i++) {
      this.work.loopIterations++;
      const block = this.block(i);
      if (bits !== 0) {
        bits += block.leftFree;
        if (bits >= allocBits) return { bitOff, bits };
        if (block.leftFree === BLOCK) continue;
      }
      bits = alignUp(block.contigHintStart, align) - block.contigHintStart;
      this.work.comparisons++;
      if (
        block.contigHint !== 0 &&
        block.contigHintStart >= blockOff &&
        block.contigHint >= bits + allocBits
      ) {
        const from = nextHint(block, allocBits);
        return { bitOff: i * BLOCK + from, bits: bits + allocBits + block.contigHintStart - from };
      }
      blockOff = this.blockOffAfter(blockOff);
      const off = alignUp(BLOCK - block.rightFree, align);
      bits = BLOCK - off;
      bitOff = i * BLOCK + off;
      if (bits >= allocBits) return { bitOff, bits };
    }
    return { bitOff: this.mapBits, bits: 0 };
  }

  /** pcpu_is_populated: whether the pages under [bitOff, +bits) are populated, else where next. */
  isPopulated(bitOff: number, bits: number): { ok: boolean; nextOff: number } {
    const pageStart = Math.floor((bitOff * PCPU_MIN_ALLOC_SIZE) / 4096);
    const pageEnd = Math.ceil(((bitOff + bits) * PCPU_MIN_ALLOC_SIZE) / 4096);
    const rs = this.nextZero(this.populated, pageEnd, pageStart);
    if (rs >= pageEnd) return { ok: true, nextOff: bitOff };
    const re = this.nextSet(this.populated, pageEnd, rs + 1);
    return { ok: false, nextOff: (re * 4096) / PCPU_MIN_ALLOC_SIZE };
  }

  /** pcpu_find_block_fit: the bit to start pcpu_alloc_area at, or -1. */
  findBlockFit(allocBits: number, align: number, popOnly: boolean): number {
    const md = this.chunkMd;
    const slack = alignUp(md.contigHintStart, align) - md.contigHintStart;
    this.work.comparisons++;
    if (slack + allocBits > md.contigHint) return -1;
    let r = this.nextFitRegion(allocBits, align, nextHint(md, allocBits));
    while (r.bitOff < this.mapBits) {
      if (!popOnly) break;
      const pop = this.isPopulated(r.bitOff, r.bits);
      if (pop.ok) break;
      r = this.nextFitRegion(allocBits, align, pop.nextOff);
    }
    return r.bitOff >= this.mapBits ? -1 : r.bitOff;
  }

  // ---- area allocation -----------------------------------------------------------------

  /**
   * pcpu_find_zero_area: the first aligned run of `nr` clear bits in [start, size), or a value
   * past `size`; remembers the largest run skipped (with the best alignment on a tie).
   */
  findZeroArea(
    size: number,
    start: number,
    nr: number,
    alignMask: number,
  ): { index: number; largestOff: number; largestBits: number } {
    let largestOff = 0;
    let largestBits = 0;
    let from = start;
    for (;;) {
      this.work.loopIterations++;
      let index = this.nextZero(this.allocMap, size, from);
      index = alignUp(index, alignMask + 1);
      const end = index + nr;
      if (end > size) return { index: end, largestOff, largestBits };
      const i = this.nextSet(this.allocMap, end, index);
      if (i >= end) return { index, largestOff, largestBits };
      const areaBits = i - index;
      this.work.comparisons++;
      if (
        areaBits > largestBits ||
        (areaBits === largestBits &&
          largestOff !== 0 &&
          (index === 0 || lowBit(index) > lowBit(largestOff)))
      ) {
        largestOff = index;
        largestBits = areaBits;
      }
      from = i + 1;
    }
  }

  /** pcpu_alloc_area: allocates `allocBits` at `align` from `start`; the bit offset, or -1. */
  allocArea(allocBits: number, align: number, start: number): number {
    this.fullScanned = false;
    const end = this.scanEnd(start, allocBits);
    const found = this.findZeroArea(end, start, allocBits, align - 1);
    const bitOff = found.index;
    if (bitOff >= end) return -1;
    if (found.largestBits !== 0) this.blockUpdateScan(found.largestOff, found.largestBits);
    this.fill(this.allocMap, bitOff, allocBits, 1);
    this.boundMap[bitOff] = 1;
    this.fill(this.boundMap, bitOff + 1, allocBits - 1, 0);
    if (bitOff + allocBits <= this.mapBits) this.boundMap[bitOff + allocBits] = 1;
    this.freeBytes -= this.bytesOf(allocBits);
    if (bitOff === this.chunkMd.firstFree) {
      this.chunkMd.firstFree = this.nextZero(this.allocMap, this.mapBits, bitOff + allocBits);
    }
    this.blockUpdateHintAlloc(bitOff, allocBits);
    return bitOff;
  }

  /** pcpu_free_area: frees the area at byte offset `off`; the bits it had. */
  freeArea(off: number): number {
    this.fullScanned = false;
    const bitOff = off / PCPU_MIN_ALLOC_SIZE;
    const end = this.nextSet(this.boundMap, this.mapBits, bitOff + 1);
    const bits = end - bitOff;
    this.fill(this.allocMap, bitOff, bits, 0);
    this.freeBytes += this.bytesOf(bits);
    this.chunkMd.firstFree = Math.min(this.chunkMd.firstFree, bitOff);
    this.blockUpdateHintFree(bitOff, bits);
    return bits;
  }

  // ---- hint updates --------------------------------------------------------------------

  /** pcpu_block_update_scan: a run skipped while scanning may become a block's scan hint. */
  blockUpdateScan(bitOff: number, bits: number): void {
    let sOff = bitOff % BLOCK;
    const eOff = sOff + bits;
    if (eOff > BLOCK) return;
    const index = Math.floor(bitOff / BLOCK);
    const lBit = this.lastSet(this.allocMap, index * BLOCK, sOff);
    sOff = sOff === lBit ? 0 : lBit + 1;
    blockUpdate(this.block(index), sOff, eOff);
  }

  /** pcpu_chunk_refresh_hint: rescans the chunk's hints from the block hints. */
  chunkRefreshHint(fullScan: boolean): void {
    const md = this.chunkMd;
    let bitOff: number;
    if (!fullScan && md.scanHint !== 0) {
      bitOff = md.scanHintStart + md.scanHint;
      md.contigHintStart = md.scanHintStart;
      md.contigHint = md.scanHint;
      md.scanHint = 0;
    } else {
      bitOff = md.firstFree;
      md.contigHint = 0;
    }
    let r = this.nextMdFreeRegion(bitOff);
    while (r.bitOff < this.mapBits) {
      blockUpdate(md, r.bitOff, r.bitOff + r.bits);
      r = this.nextMdFreeRegion(r.bitOff + r.bits + 1);
    }
    this.fullScanned = fullScan;
  }

  /** pcpu_block_refresh_hint: rescans one block from its scan hint or first_free. */
  blockRefreshHint(index: number): void {
    const block = this.block(index);
    const base = index * BLOCK;
    let start: number;
    if (block.scanHint !== 0) {
      start = block.scanHintStart + block.scanHint;
      block.contigHintStart = block.scanHintStart;
      block.contigHint = block.scanHint;
      block.scanHint = 0;
    } else {
      start = block.firstFree;
      block.contigHint = 0;
    }
    block.rightFree = 0;
    while (start < BLOCK) {
      const rs = this.nextZero(this.allocMap, base + BLOCK, base + start) - base;
      if (rs >= BLOCK) break;
      const re = this.nextSet(this.allocMap, base + BLOCK, base + rs + 1) - base;
      blockUpdate(block, rs, re);
      start = re + 1;
    }
  }

  /** pcpu_block_update_hint_alloc: exact hints after [bitOff, +bits) was allocated. */
  blockUpdateHintAlloc(bitOff: number, bits: number): void {
    const md = this.chunkMd;
    let nrEmptyPages = 0;
    const sIndex = Math.floor(bitOff / BLOCK);
    const eIndex = Math.floor((bitOff + bits - 1) / BLOCK);
    const sOff = bitOff % BLOCK;
    const eOff = ((bitOff + bits - 1) % BLOCK) + 1;
    const s = this.block(sIndex);
    if (s.contigHint === BLOCK) nrEmptyPages++;
    if (sOff === s.firstFree) {
      s.firstFree = this.nextZero(this.allocMap, sIndex * BLOCK + BLOCK, bitOff + bits);
      s.firstFree -= sIndex * BLOCK;
    }
    if (overlap(s.scanHintStart, s.scanHintStart + s.scanHint, sOff, sOff + bits)) s.scanHint = 0;
    if (overlap(s.contigHintStart, s.contigHintStart + s.contigHint, sOff, sOff + bits)) {
      if (sOff === 0) s.leftFree = 0;
      this.blockRefreshHint(sIndex);
    } else {
      s.leftFree = Math.min(s.leftFree, sOff);
      s.rightFree = sIndex === eIndex ? Math.min(s.rightFree, BLOCK - eOff) : 0;
    }
    if (sIndex !== eIndex) {
      const e = this.block(eIndex);
      if (e.contigHint === BLOCK) nrEmptyPages++;
      e.firstFree = this.nextZero(this.allocMap, eIndex * BLOCK + BLOCK, eIndex * BLOCK + eOff);
      e.firstFree -= eIndex * BLOCK;
      let resetTo = eIndex;
      if (eOff === BLOCK) {
        resetTo = eIndex + 1;
      } else {
        if (eOff > e.scanHintStart) e.scanHint = 0;
        e.leftFree = 0;
        if (eOff > e.contigHintStart) this.blockRefreshHint(eIndex);
        else e.rightFree = Math.min(e.rightFree, BLOCK - eOff);
      }
      nrEmptyPages += eIndex - sIndex - 1;
      for (let i = sIndex + 1; i < resetTo; i++) {
        const b = this.block(i);
        b.scanHint = b.contigHint = b.leftFree = b.rightFree = 0;
      }
    }
    if (nrEmptyPages !== 0) this.updateEmptyPages(-nrEmptyPages);
    if (overlap(md.scanHintStart, md.scanHintStart + md.scanHint, bitOff, bitOff + bits)) {
      md.scanHint = 0;
    }
    if (overlap(md.contigHintStart, md.contigHintStart + md.contigHint, bitOff, bitOff + bits)) {
      this.chunkRefreshHint(false);
    }
  }

  /** pcpu_block_update_hint_free: block hints exact, the chunk's may lag (never above). */
  blockUpdateHintFree(bitOff: number, bits: number): void {
    let nrEmptyPages = 0;
    const sIndex = Math.floor(bitOff / BLOCK);
    const eIndex = Math.floor((bitOff + bits - 1) / BLOCK);
    const sOff = bitOff % BLOCK;
    let eOff = ((bitOff + bits - 1) % BLOCK) + 1;
    const s = this.block(sIndex);
    const e = this.block(eIndex);
    let start = sOff;
    if (sOff === s.contigHint + s.contigHintStart) {
      start = s.contigHintStart;
    } else {
      const lBit = this.lastSet(this.allocMap, sIndex * BLOCK, start);
      start = start === lBit ? 0 : lBit + 1;
    }
    let end: number;
    if (eOff === e.contigHintStart) end = e.contigHintStart + e.contigHint;
    else
      end =
        this.nextSet(this.allocMap, eIndex * BLOCK + BLOCK, eIndex * BLOCK + eOff) - eIndex * BLOCK;

    eOff = sIndex === eIndex ? end : BLOCK;
    if (start === 0 && eOff === BLOCK) nrEmptyPages++;
    blockUpdate(s, start, eOff);
    if (sIndex !== eIndex) {
      if (end === BLOCK) nrEmptyPages++;
      blockUpdate(e, 0, end);
      nrEmptyPages += eIndex - sIndex - 1;
      for (let i = sIndex + 1; i < eIndex; i++) {
        const b = this.block(i);
        b.firstFree = 0;
        b.scanHint = 0;
        b.contigHintStart = 0;
        b.contigHint = b.leftFree = b.rightFree = BLOCK;
      }
    }
    if (nrEmptyPages !== 0) this.updateEmptyPages(nrEmptyPages);
    // As in mm/percpu.c since 5.1: the start is a chunk offset but the end stays a block
    // offset, so a free inside any block but the first leaves the chunk hint as it was (it
    // lags; it is never raised above the free space).
    if (end - start >= BLOCK || sIndex !== eIndex) this.chunkRefreshHint(true);
    else blockUpdate(this.chunkMd, sIndex * BLOCK + start, end);
  }
}

/** __ffs of a positive integer. */
function lowBit(value: number): number {
  let n = 0;
  while (value % 2 === 0) {
    value /= 2;
    n++;
  }
  return n;
}
