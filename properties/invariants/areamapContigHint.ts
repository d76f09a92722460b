import type { AreamapDetail } from "../../impl/index.ts";
import { conjunctNames, firstBroken, type Conjuncts } from "./invariant.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

type Chunk = AreamapDetail["chunks"][number];
const freeEntries = (c: Chunk) => c.map.filter((e) => e > 0);

const PER_CHUNK: Conjuncts<[Chunk]> = {
  contig_hint(c) {
    const largest = freeEntries(c).reduce((s, e) => Math.max(s, e), 0);
    return c.contigHint < largest
      ? `chunk ${c.id}: contig hint ${c.contigHint} is below its largest free area ${largest} in [${c.map.join(", ")}]`
      : undefined;
  },
  free_size(c) {
    const sum = freeEntries(c).reduce((s, e) => s + e, 0);
    return c.freeSize !== sum
      ? `chunk ${c.id}: free size ${c.freeSize}, but its free entries sum to ${sum} in [${c.map.join(", ")}]`
      : undefined;
  },
};

/**
 * areamap-contig-hint: each chunk's contig hint is at least its largest free area, and its
 * free size is the sum of its free entries. The allocator skips a chunk whose hint is below
 * the request, so a hint that falls below a free area hides that space from every request.
 *
 *   map [ -16384, +8, -4, +16372 ]   contig_hint >= 16372, free_size = 8 + 16372
 *
 * Source: mm/percpu.c of 2.6.30, the file header: "Each chunk keeps the maximum contiguous
 * area size hint which is guaranteed to be equal to or larger than the maximum contiguous
 * area in the chunk"; pcpu_alloc_area's hint rules ("fully scanned"); free_size kept by
 * pcpu_alloc_area and pcpu_free_area.
 * Cost: one `inspect` detail per audit (every K steps and at the end of a run): O(map entries of all chunks).
 */
export const areamapContigHint = whiteBoxInvariant<AreamapDetail>({
  id: "areamap-contig-hint",
  title: "each chunk's contig hint >= its largest free area; free size = sum of free entries",
  source: "mm/percpu.c 2.6.30: the contig hint guarantee of the file header; pcpu_alloc_area",
  cost: "O(map entries) per audit",
  design: "areamap-2009",
  conjuncts: conjunctNames(PER_CHUNK),
  // The detail alone: judged between the sections of an interleaved run too.
  state(detail) {
    for (const c of detail.chunks) {
      const broken = firstBroken(PER_CHUNK, c);
      if (broken !== undefined) return broken;
    }
    return undefined;
  },
});
