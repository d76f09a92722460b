/**
 * A harness's reserved area as its `hello` declares it (`reserved_area`), and the judgement
 * the suite makes of an ENOMEM from it. The area is one fixed region, made at boot and never
 * grown (mm/percpu.c's `pcpu_reserved_chunk`: "no chunk can be made there"), so whether a
 * request has room is a function of the live reserved objects alone, which the suite knows:
 * it works the free gaps out from their pointers and rounded sizes, never from the harness's
 * state.
 */

/** `hello`'s `reserved_area`, as docs/protocol.md defines it. */
export interface ReservedArea {
  /** The percpu pointer of the area's first byte (`start`). */
  readonly start: number;
  /** Its size in bytes (`size`). */
  readonly size: number;
  /** What sizes are rounded up to (`granule`; 1 if left out): PCPU_MIN_ALLOC_SIZE. */
  readonly granule: number;
  /**
   * The span the allocator keeps exact free-space hints for (`block`, PCPU_BITMAP_BLOCK_SIZE),
   * if it declares one: only a fit inside one block is sure (see reservedFit).
   */
  readonly block?: number;
}

/** A live reserved object: its pointer and its size as asked. */
export interface ReservedObject {
  readonly ptr: number;
  readonly size: number;
}

/** A free gap of the area, [start, end) in pointer space. */
interface Gap {
  readonly start: number;
  readonly end: number;
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The free gaps between the live objects (each taking its size rounded to the granule). */
export function reservedGaps(area: ReservedArea, live: readonly ReservedObject[]): Gap[] {
  const end = area.start + area.size;
  const used = live
    .map((o) => ({ start: o.ptr, end: o.ptr + roundUp(o.size, area.granule) }))
    .sort((a, b) => a.start - b.start);
  const gaps: Gap[] = [];
  let at = area.start;
  for (const u of used) {
    if (u.start > at) gaps.push({ start: at, end: Math.min(u.start, end) });
    at = Math.max(at, u.end);
  }
  if (at < end) gaps.push({ start: at, end });
  return gaps;
}

/** The gaps cut at every multiple of `block` in pointer space: the free runs of each block. */
export function blockPieces(gaps: readonly Gap[], block: number): Gap[] {
  const pieces: Gap[] = [];
  for (const g of gaps) {
    for (let at = g.start; at < g.end;) {
      const next = Math.min(g.end, (Math.floor(at / block) + 1) * block);
      pieces.push({ start: at, end: next });
      at = next;
    }
  }
  return pieces;
}

/** The aligned start of the first largest run, when every largest run holds the request. */
function largestFit(runs: readonly Gap[], need: number, align: number): number | undefined {
  const largest = Math.max(0, ...runs.map((g) => g.end - g.start));
  if (largest < need) return undefined;
  let first: number | undefined;
  for (const g of runs) {
    if (g.end - g.start !== largest) continue;
    const at = roundUp(g.start, align);
    if (at + need > g.end) return undefined;
    first ??= at;
  }
  return first;
}

/**
 * Where a request of `size` bytes at alignment `align` (as served: at least the granule) is
 * sure to fit, or undefined if the allocator may refuse it with ENOMEM: the aligned start of
 * the first largest gap, when every largest gap holds the request aligned.
 *
 * Why the largest gaps only: mm/percpu.c's search tests a chunk's and each block's contig
 * hint (its largest free area) with the alignment applied, and skips the smaller areas ("Poor
 * alignment can cause the allocator to skip over blocks and chunks that have valid free
 * areas", pcpu_find_block_fit), so an aligned request that fits only a smaller gap may be
 * refused. For a request at the granule's alignment this is exactly "some gap holds it": a
 * gap holds it iff the largest one does. With `block` declared the same is asked of the free
 * runs of each block as well: only a fit inside one block is sure.
 */
export function reservedFit(
  area: ReservedArea,
  live: readonly ReservedObject[],
  size: number,
  align: number,
): number | undefined {
  const need = roundUp(size, area.granule);
  const a = Math.max(align, area.granule, 1);
  const gaps = reservedGaps(area, live);
  const whole = largestFit(gaps, need, a);
  if (whole === undefined || area.block === undefined) return whole;
  // With blocks declared, the fit must also lie inside one block: mm/percpu.c keeps each
  // block's hints exact, but a chunk's "may be off by up to a page" where a free area runs
  // across blocks (pcpu_block_update_hint_free), so a request that needs such an area may
  // be refused while it fits.
  return largestFit(blockPieces(gaps, area.block), need, a);
}
