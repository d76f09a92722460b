import { allocMap, bitmapDetail, BITMAP_DESIGN } from "./bitmapRuns.ts";
import { perDetail } from "./bitmapRuns.ts";
import type { BitmapChunkDetail, BitmapDetail } from "../../impl/index.ts";
import { conjunctNames, firstBroken, type Conjuncts, type StepContext } from "./invariant.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";
import { sameBytes } from "../engine/observer.ts";

const WHOLE: Conjuncts<[BitmapDetail, StepContext]> = {
  live_areas(d, ctx) {
    const live = ctx.model.liveObjects().length;
    return d.live.length !== live
      ? `the allocator keeps ${d.live.length} live areas, but ${live} objects are live`
      : undefined;
  },
};

/** The live areas of a chunk as [start bit, bits]. */
const areasOf = (chunk: BitmapChunkDetail, d: BitmapDetail): [number, number][] =>
  d.live
    .filter((a) => a.chunk === chunk.id)
    .map((a) => [a.off / d.minAllocSize, Math.ceil(a.size / d.minAllocSize)]);

const PER_CHUNK: Conjuncts<[BitmapChunkDetail, BitmapDetail]> = {
  free_bytes(chunk, d) {
    // allocMap holds 0s and 1s only: the set bits counted run by run (native scans).
    const map = allocMap(chunk);
    let set = 0;
    for (let i = map.indexOf(1); i >= 0;) {
      const end = map.indexOf(0, i);
      const j = end < 0 ? map.length : end;
      set += j - i;
      i = map.indexOf(1, j);
    }
    const clear = map.length - set;
    return chunk.freeBytes !== d.minAllocSize * clear
      ? `chunk ${chunk.id}: free_bytes ${chunk.freeBytes}, but ${clear} bits are clear (${d.minAllocSize * clear} bytes)`
      : undefined;
  },
  bound_map(chunk, d) {
    const bounds = new Set(chunk.bounds);
    for (const [start, bits] of areasOf(chunk, d)) {
      if (!bounds.has(start) || !bounds.has(start + bits)) {
        return `chunk ${chunk.id}: the area at bit ${start} (${bits} bits) lacks a boundary bit at ${bounds.has(start) ? start + bits : start}`;
      }
      for (let i = start + 1; i < start + bits; i++) {
        if (bounds.has(i))
          return `chunk ${chunk.id}: a boundary bit at ${i} inside the area at bit ${start}`;
      }
    }
    return undefined;
  },
  alloc_map(chunk, d) {
    const map = allocMap(chunk);
    const owned = new Uint8Array(chunk.mapBits);
    for (const [start, bits] of areasOf(chunk, d)) owned.fill(1, start, start + bits);
    // Equal maps (native memcmp) need no walk; a walk finds the first bit that differs.
    if (sameBytes(map, owned)) return undefined;
    for (let i = 0; i < chunk.mapBits; i++) {
      if (map[i] !== owned[i]) {
        return `chunk ${chunk.id}: alloc bit ${i} is ${map[i]}, but ${owned[i] === 1 ? "a live area covers it" : "no live area covers it"}`;
      }
    }
    return undefined;
  },
};

/**
 * bitmap-free-bytes: each chunk's free_bytes is PCPU_MIN_ALLOC_SIZE (4) times its clear alloc
 * bits; the set alloc bits are exactly the live areas, one per live object; each live area has
 * a boundary bit at its start and at its end and none inside (so pcpu_free_area finds its
 * length). A failed allocation that kept its area shows here at once.
 *
 *   alloc |1|1|1|0|1|1|0|0|   bound |1|0|0|1|1|0|1|0|0|   free_bytes = 4 × 3
 *          \ a /   \b/                ^a    ^end a/b ^end b
 *
 * Source: mm/percpu.c pcpu_alloc_area ("chunk->free_bytes -= alloc_bits * PCPU_MIN_ALLOC_SIZE",
 * bound bits at bit_off and bit_off + alloc_bits), pcpu_free_area (length from the next
 * boundary bit); "percpu: fix starting offset for chunk statistics traversal" (2017), where a
 * byte offset was used as a bit offset.
 * Cost: O(chunks × bits + live areas) per audit (every K steps and at the end of a run).
 */
export const bitmapFreeBytes = whiteBoxInvariant<BitmapDetail>({
  id: "bitmap-free-bytes",
  title: "free_bytes = 4 × clear bits; set bits and boundary bits are exactly the live areas",
  source:
    "mm/percpu.c pcpu_alloc_area, pcpu_free_area; commit 'percpu: fix starting offset for chunk statistics traversal'",
  cost: "O(chunks × bits + live areas) per audit",
  design: BITMAP_DESIGN,
  read: bitmapDetail,
  conjuncts: conjunctNames(WHOLE, PER_CHUNK),
  state: (d) => judge(d),
  judge(d, ctx) {
    return firstBroken(WHOLE, d, ctx) ?? perDetail(d, "freeBytes", () => judge(d));
  },
});

function judge(d: BitmapDetail): string | undefined {
  for (const chunk of d.chunks) {
    const broken = firstBroken(PER_CHUNK, chunk, d);
    if (broken !== undefined) return broken;
  }
  return undefined;
}
