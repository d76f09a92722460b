import { allClear, allocMap, bitmapDetail, BITMAP_DESIGN, freeRuns } from "./bitmapRuns.ts";
import { perDetail } from "./bitmapRuns.ts";
import type { BitmapChunkDetail, BitmapDetail } from "../../impl/index.ts";
import { conjunctNames, firstBroken, type Conjuncts } from "./invariant.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

interface ChunkView {
  readonly chunk: BitmapChunkDetail;
  readonly map: Uint8Array;
  /** The free runs of the whole alloc map, in order. */
  readonly runs: readonly [number, number][];
  readonly where: string;
}

const PER_CHUNK: Conjuncts<[ChunkView]> = {
  contig_hint({ chunk, map, runs, where }) {
    const md = chunk.chunkMd;
    const largest = runs.reduce((m, [, n]) => Math.max(m, n), 0);
    if (md.contigHint > largest) {
      return `${where}: contig_hint ${md.contigHint} bits, above its largest free run of ${largest}`;
    }
    if (md.contigHint > 0 && !allClear(map, md.contigHintStart, md.contigHint)) {
      return `${where}: contig hint [${md.contigHintStart}, +${md.contigHint}) is not free`;
    }
    return undefined;
  },
  scan_hint({ chunk, map, where }) {
    const md = chunk.chunkMd;
    return md.scanHint > 0 && !allClear(map, md.scanHintStart, md.scanHint)
      ? `${where}: scan hint [${md.scanHintStart}, +${md.scanHint}) is not free`
      : undefined;
  },
  full_rescan({ chunk, where }) {
    if (!chunk.fullScanned) return undefined;
    const md = chunk.chunkMd;
    const bits = chunk.mapBits / chunk.blocks.length;
    for (const [i, b] of chunk.blocks.entries()) {
      if (b.contigHintStart + b.contigHint < bits && b.contigHint > md.contigHint) {
        return `${where}: after a full rescan the contig_hint is ${md.contigHint}, but block ${i} has a free run of ${b.contigHint} at ${b.contigHintStart} the rescan should have met`;
      }
    }
    return undefined;
  },
  first_free({ chunk, runs, where }) {
    const firstClear = runs[0]?.[0] ?? chunk.mapBits;
    return chunk.chunkMd.firstFree > firstClear
      ? `${where}: first_free ${chunk.chunkMd.firstFree} is past the first clear bit ${firstClear}`
      : undefined;
  },
};

/**
 * bitmap-chunk-hint: a chunk's chunk_md never promises more than it has: its contig_hint is at
 * most the largest free run of the whole alloc map and names a free area; its scan hint names a
 * free area; its first_free is at or before the first clear bit; right after a full rescan
 * (pcpu_chunk_refresh_hint(chunk, true), run when a free spans blocks or frees a whole block)
 * it is at least every block's contig hint that ends inside its block (a hint reaching the
 * block's end is met through right_free, which the kernel may leave at 0). After a free the hint may lag
 * below the largest run ("may be off by up to a page, but it will never be more than the
 * available space"), which this invariant allows.
 *
 *   alloc map |xx|......free run......|xxx|..|     chunk contig_hint <= 19, its area free
 *
 * Source: mm/percpu.c pcpu_block_update_hint_free (the comment quoted), pcpu_chunk_refresh_hint,
 * pcpu_find_block_fit (which trusts the hint to skip a chunk).
 * Cost: O(chunks × bits) per audit (every K steps and at the end of a run).
 */
export const bitmapChunkHint = whiteBoxInvariant<BitmapDetail>({
  id: "bitmap-chunk-hint",
  title: "each chunk's contig hint is at most its largest free run and names a free area",
  source: "mm/percpu.c pcpu_block_update_hint_free, pcpu_chunk_refresh_hint",
  cost: "O(chunks × bits) per audit",
  design: BITMAP_DESIGN,
  read: bitmapDetail,
  conjuncts: conjunctNames(PER_CHUNK),
  state: (d) => judge(d),
  judge(d) {
    return perDetail(d, "chunkHint", () => judge(d));
  },
});

function judge(d: BitmapDetail): string | undefined {
  for (const chunk of d.chunks) {
    const map = allocMap(chunk);
    const runs = freeRuns(map, 0, chunk.mapBits);
    const broken = firstBroken(PER_CHUNK, { chunk, map, runs, where: `chunk ${chunk.id}` });
    if (broken !== undefined) return broken;
  }
  return undefined;
}
