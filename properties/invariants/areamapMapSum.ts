import type { AreamapDetail } from "../../impl/index.ts";
import { conjunctNames, firstBroken, type Conjuncts } from "./invariant.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

type Chunk = AreamapDetail["chunks"][number];

/**
 * The entry rules, in the order a walk of the map meets them: an entry of 0, or two adjacent
 * free entries, whichever comes first.
 */
function badEntry(c: Chunk): string | undefined {
  for (let i = 0; i < c.map.length; i++) {
    const e = c.map[i] as number;
    if (e === 0) return `chunk ${c.id}: map entry ${i} is 0 in [${c.map.join(", ")}]`;
    if (e > 0 && i > 0 && (c.map[i - 1] as number) > 0) {
      return `chunk ${c.id}: map entries ${i - 1} and ${i} are both free in [${c.map.join(", ")}]`;
    }
  }
  return undefined;
}

const PER_CHUNK: Conjuncts<[Chunk, number]> = {
  map_alloc: (c) =>
    c.map.length > c.mapAlloc
      ? `chunk ${c.id}: ${c.map.length} map entries used of ${c.mapAlloc} allocated`
      : undefined,
  entries: (c) => badEntry(c),
  unit_size(c, unitSize) {
    const sum = c.map.reduce((s, e) => s + Math.abs(e), 0);
    return sum !== unitSize
      ? `chunk ${c.id}: map entries cover ${sum} bytes, expected the unit size ${unitSize}: [${c.map.join(", ")}]`
      : undefined;
  },
};

/**
 * areamap-map-sum: each chunk's area map covers its unit exactly: the entries' absolute values
 * add up to the unit size, no entry is 0, no two adjacent entries are both free (a free merges
 * with free neighbours, an allocation gives a head to a free previous entry), and the map uses
 * no more entries than it has.
 *
 *   map [ -16384, -4, +12, -36, +16332 ]   |sum| = 32768 = unit size; frees never adjacent
 *
 * Source: mm/percpu.c of 2.6.30, pcpu_alloc_area / pcpu_split_block ("Split the @i'th map
 * block into two or three blocks") and pcpu_free_area ("merge with previous?", "merge with
 * next?"), the scheme of kernel/module.c percpu_modalloc / percpu_modfree.
 * Cost: one `inspect` detail per audit (every K steps and at the end of a run): O(map entries of all chunks).
 */
export const areamapMapSum = whiteBoxInvariant<AreamapDetail>({
  id: "areamap-map-sum",
  title: "each area map covers its unit: |entries| sum to the unit size, no 0, no adjacent frees",
  source: "mm/percpu.c 2.6.30: pcpu_split_block, pcpu_free_area's merges",
  cost: "O(map entries) per audit",
  design: "areamap-2009",
  conjuncts: conjunctNames(PER_CHUNK),
  // The detail alone: judged between the sections of an interleaved run too.
  state(detail) {
    for (const c of detail.chunks) {
      const broken = firstBroken(PER_CHUNK, c, detail.unitSize);
      if (broken !== undefined) return broken;
    }
    return undefined;
  },
});
