/**
 * `struct pcpu_block_md` (mm/percpu-internal.h) and `pcpu_block_update` (mm/percpu.c): the
 * hints kept for one metadata block (one page of a unit) and, with the same fields, for the
 * whole chunk (`chunk_md`).
 *
 *   bits of one block (PCPU_BITMAP_BLOCK_BITS = PAGE_SIZE / 4 = 1024)
 *   |..free..|xxxx|....scan hint....|xx|.........contig hint.........|xxx|.right.|
 *   ^first_free     ^scan_hint_start     ^contig_hint_start                ^right_free
 *   |<left_free>|
 *
 * Rules (Dennis Zhou's bitmap allocator, 4.14; scan hints "percpu: use block scan_hint to only
 * scan forward", 5.1):
 * - contig_hint: the largest free run (and where it starts); on a tie the start with the better
 *   alignment (more trailing zero bits) wins.
 * - scan_hint: a free run met while scanning, kept to skip work; "scan_hint_start >
 *   contig_hint_start iff scan_hint == contig_hint" (the comment in percpu-internal.h).
 * - left_free / right_free: the free runs touching the block's two edges; first_free: at or
 *   before the first free bit.
 */

/** One pcpu_block_md; all values count 4-byte allocation bits. */
export interface PcpuBlockMd {
  scanHint: number;
  scanHintStart: number;
  contigHint: number;
  contigHintStart: number;
  leftFree: number;
  rightFree: number;
  firstFree: number;
  nrBits: number;
}

/** pcpu_init_md_block: a fully free block of `nrBits` bits. */
export function initBlockMd(nrBits: number): PcpuBlockMd {
  return {
    scanHint: 0,
    scanHintStart: 0,
    contigHint: nrBits,
    contigHintStart: 0,
    leftFree: nrBits,
    rightFree: nrBits,
    firstFree: 0,
    nrBits,
  };
}

/** __ffs: the index of the lowest set bit (for a positive integer). */
export function lowestSetBit(value: number): number {
  let n = 0;
  while (value % 2 === 0) {
    value /= 2;
    n++;
  }
  return n;
}

/**
 * pcpu_block_update: tells a block (or the chunk) of the whole free run [start, end); it
 * raises first_free, the edge runs, the contig hint and the scan hint as the kernel does.
 */
export function blockUpdate(block: PcpuBlockMd, start: number, end: number): void {
  const contig = end - start;
  block.firstFree = Math.min(block.firstFree, start);
  if (start === 0) block.leftFree = contig;
  if (end === block.nrBits) block.rightFree = contig;

  if (contig > block.contigHint) {
    // The old contig hint becomes the scan hint when it lies before the new one.
    if (start > block.contigHintStart) {
      if (block.contigHint > block.scanHint) {
        block.scanHintStart = block.contigHintStart;
        block.scanHint = block.contigHint;
      } else if (start < block.scanHintStart) {
        block.scanHint = 0;
      }
    } else {
      block.scanHint = 0;
    }
    block.contigHintStart = start;
    block.contigHint = contig;
  } else if (contig === block.contigHint) {
    if (
      block.contigHintStart !== 0 &&
      (start === 0 || lowestSetBit(start) > lowestSetBit(block.contigHintStart))
    ) {
      // The start with the better alignment is kept.
      block.contigHintStart = start;
      if (start < block.scanHintStart && block.contigHint > block.scanHint) block.scanHint = 0;
    } else if (start > block.scanHintStart || block.contigHint > block.scanHint) {
      block.scanHintStart = start;
      block.scanHint = contig;
    }
  } else if (
    start < block.contigHintStart &&
    (contig > block.scanHint || (contig === block.scanHint && start > block.scanHintStart))
  ) {
    block.scanHintStart = start;
    block.scanHint = contig;
  }
}

/**
 * pcpu_next_hint: where a scan for `allocBits` starts: past the scan hint when the scan hint
 * lies before the contig hint and is too small, else at first_free.
 */
export function nextHint(block: PcpuBlockMd, allocBits: number): number {
  if (
    block.scanHint !== 0 &&
    block.contigHintStart > block.scanHintStart &&
    allocBits > block.scanHint
  ) {
    return block.scanHintStart + block.scanHint;
  }
  return block.firstFree;
}
