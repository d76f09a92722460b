import { allClear, allocMap, bitmapDetail, BITMAP_DESIGN, freeRuns } from "./bitmapRuns.ts";
import { perDetail } from "./bitmapRuns.ts";
import type { BitmapChunkDetail, BitmapDetail } from "../../impl/index.ts";
import { conjunctNames, firstBroken, type Conjuncts } from "./invariant.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

type Block = BitmapChunkDetail["blocks"][number];

/** One md block with what its hints are judged against. */
interface BlockView {
  readonly b: Block;
  readonly where: string;
  readonly map: Uint8Array;
  /** The block's first bit in the chunk's map, and its bits. */
  readonly base: number;
  readonly bits: number;
  /** Its free runs, in order. */
  readonly runs: readonly [number, number][];
}

const largestRun = (v: BlockView) => v.runs.reduce((m, [, n]) => Math.max(m, n), 0);

const PER_BLOCK: Conjuncts<[BlockView]> = {
  contig_hint(v) {
    const { b, where, map, base, bits } = v;
    const largest = largestRun(v);
    if (b.contigHint > largest) {
      return `${where}: contig_hint ${b.contigHint} bits, above its largest free run of ${largest}`;
    }
    if (largest === bits && b.contigHint !== bits) {
      return `${where}: the block is wholly free but its contig_hint is ${b.contigHint}, not ${bits}`;
    }
    if (b.contigHint > 0 && !allClear(map, base + b.contigHintStart, b.contigHint)) {
      return `${where}: contig hint [${b.contigHintStart}, +${b.contigHint}) is not free`;
    }
    return undefined;
  },
  scan_hint({ b, where, map, base }) {
    if (b.scanHint === 0) return undefined;
    if (!allClear(map, base + b.scanHintStart, b.scanHint)) {
      return `${where}: scan hint [${b.scanHintStart}, +${b.scanHint}) is not free`;
    }
    if (b.scanHint > b.contigHint) {
      return `${where}: scan_hint ${b.scanHint} above contig_hint ${b.contigHint}`;
    }
    if (b.scanHintStart > b.contigHintStart && b.scanHint !== b.contigHint) {
      return `${where}: scan_hint ${b.scanHint} at ${b.scanHintStart} lies after contig_hint ${b.contigHint} at ${b.contigHintStart}: expected scan_hint_start > contig_hint_start only if scan_hint == contig_hint`;
    }
    return undefined;
  },
  first_free({ b, where, base, bits, runs }) {
    const firstClear = runs[0]?.[0] ?? base + bits;
    return base + b.firstFree > firstClear
      ? `${where}: first_free ${b.firstFree} is past the first clear bit ${firstClear - base}`
      : undefined;
  },
  left_free({ b, where, base, runs }) {
    const left = runs[0]?.[0] === base ? runs[0][1] : 0;
    return b.leftFree !== left
      ? `${where}: left_free ${b.leftFree}, but the run at the block's start is ${left}`
      : undefined;
  },
  right_free({ b, where, base, bits, runs }) {
    const last = runs[runs.length - 1];
    const right = last !== undefined && last[0] + last[1] === base + bits ? last[1] : 0;
    return b.rightFree > right
      ? `${where}: right_free ${b.rightFree}, above the run at the block's end (${right})`
      : undefined;
  },
};

/**
 * bitmap-block-hints: every pcpu_block_md of every chunk describes its page of the alloc map:
 * contig_hint names a free area, is never above the block's largest free run, and is the whole
 * block when the block is wholly free (the empty-page count depends on that); a non-zero scan_hint
 * names a free area, is at most contig_hint, and lies after contig_hint only when equal to it
 * (the "if" half of percpu-internal.h's "scan_hint_start > contig_hint_start iff scan_hint ==
 * contig_hint". The "only if" half does not hold in mm/percpu.c itself: when a free makes a
 * run as large as the contig hint before it, pcpu_block_update's tie branch ("update the
 * scan_hint if it is farther than or larger than the current scan_hint") records that run as
 * an equal scan hint before the contig hint; the model found this in five steps:
 * alloc(1, 1), alloc(9, 2048), alloc(1, 8), alloc(1, 8), free. It is harmless: pcpu_next_hint
 * skips a scan hint only for requests larger than it, which the contig hint cannot hold
 * either);
 * first_free is at or before the first clear bit; left_free is the free run at the block's
 * start; right_free is never above the free run at its end. (It may be below: when an
 * allocation breaks the contig hint, pcpu_block_refresh_hint sets right_free to 0, promotes the
 * scan hint and rescans only after it, so a promoted scan hint that reaches the block's end
 * leaves right_free 0. The model found this; it only makes the allocator miss a run that
 * spans blocks, never promise one that is not there.)
 *
 *   block |..left..|xx|..scan..|x|....contig....|xxx|..right..|
 *
 * Why not "equal to the largest free run": mm/percpu.c itself lets a block's contig hint fall
 * below it. pcpu_block_update zeroes the scan hint when a larger run starts before the contig
 * hint, a later free then records a smaller run as the scan hint although a larger run lies
 * before it, and pcpu_block_refresh_hint promotes that scan hint and rescans only after it. The
 * model found it in twelve steps (seed 4): alloc(1, 1), alloc(1, 1024), alloc(653, 1),
 * alloc(1, 16), alloc(1, 1), free(o1), alloc(337, 16), alloc(365, 1), free(o3), free(o7),
 * free(o4), alloc(2029, 32) leaves block 0 with a 165-bit run at 0 and contig_hint 164. It errs
 * on the safe side: the run is skipped, never over-promised.
 *
 * Source: mm/percpu-internal.h (struct pcpu_block_md and its comment on scan_hint);
 * mm/percpu.c pcpu_block_update, pcpu_block_update_hint_alloc/_free (block hints exact, "the
 * block metadata" is rescanned when an allocation breaks its contig hint).
 * Cost: one `inspect` detail and a pass over every chunk's bitmap: O(chunks × bits) per audit (every K steps and at the end of a run).
 */
export const bitmapBlockHints = whiteBoxInvariant<BitmapDetail>({
  id: "bitmap-block-hints",
  title: "each md block's contig, scan, first-free and edge hints match its alloc bits",
  source: "mm/percpu-internal.h struct pcpu_block_md; mm/percpu.c pcpu_block_update",
  cost: "O(chunks × bits) per audit",
  design: BITMAP_DESIGN,
  read: bitmapDetail,
  conjuncts: conjunctNames(PER_BLOCK),
  state: (d) => judge(d),
  judge(d) {
    return perDetail(d, "blockHints", () => judge(d));
  },
});

function judge(d: BitmapDetail): string | undefined {
  for (const chunk of d.chunks) {
    const map = allocMap(chunk);
    const bits = chunk.mapBits / chunk.blocks.length;
    for (const [i, b] of chunk.blocks.entries()) {
      const base = i * bits;
      const where = `chunk ${chunk.id} block ${i}`;
      const runs = freeRuns(map, base, base + bits);
      const broken = firstBroken(PER_BLOCK, { b, where, map, base, bits, runs });
      if (broken !== undefined) return broken;
    }
  }
  return undefined;
}
