/**
 * `struct pcpu_block` of the 2005 allocator and its bitmap, one bit per currency unit.
 *
 *   bitmap (OBJS_PER_BLOCK bits, one per PCPU_CURR_SIZE bytes of every CPU's slice)
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-- ... --+
 *   |1|1|1|0|0|1|1|1|1|0|0|0|0|0|0|0|         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-- ... --+
 *    \obj a/ \run/\ obj b /\     free run    /
 *
 * A free run is a maximal stretch of clear bits: the obj_map entries (start bit, length) that
 * the allocator sorts and searches best fit. `size_used` counts bytes, i.e. currency × set bits.
 */

/** One page of a slice, or a hole (`null`): the block's page-pointer array. */
export type PageSlot = number | null;

export interface FreeRun {
  /** First clear bit. */
  readonly start: number;
  /** Number of clear bits. */
  readonly bits: number;
}

export class PcpuBlock {
  readonly id: number;
  /** Start of the vm area: CPU 0's slice; CPU c's slice is at start + c × PCPU_BLKSIZE. */
  readonly start: number;
  readonly bitmap: Uint8Array;
  /** Data pages: index cpu × pagesPerSlice + j; null where no page is mapped. */
  readonly pages: PageSlot[];
  /** Management pages (the block struct, bitmap and bufctls live there). */
  readonly mgmtPages: number[];
  /** Bytes used in each slice (`size_used`). */
  sizeUsed = 0;
  /** Live objects (bufctls taken from this block's free list). */
  live = 0;

  constructor(id: number, start: number, bits: number, pages: PageSlot[], mgmtPages: number[]) {
    this.id = id;
    this.start = start;
    this.bitmap = new Uint8Array(bits);
    this.pages = pages;
    this.mgmtPages = mgmtPages;
  }

  /** Sets or clears `bits` bits from `first`. */
  mark(first: number, bits: number, value: 0 | 1): void {
    this.bitmap.fill(value, first, first + bits);
  }

  /** The free runs in address order (the obj_map before sorting). */
  freeRuns(): FreeRun[] {
    const runs: FreeRun[] = [];
    const map = this.bitmap;
    let i = 0;
    while (i < map.length) {
      const from = map.indexOf(0, i);
      if (from < 0) break;
      let to = map.indexOf(1, from);
      if (to < 0) to = map.length;
      runs.push({ start: from, bits: to - from });
      i = to;
    }
    return runs;
  }

  /** Number of set bits (for the white-box view). */
  setBits(): number {
    // An indexed loop: the detail sums every block's bitmap at each audit.
    const map = this.bitmap;
    let n = 0;
    for (let i = 0; i < map.length; i++) n += map[i] as number;
    return n;
  }
}
