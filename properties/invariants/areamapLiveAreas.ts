import type { AreamapDetail } from "../../impl/index.ts";
import { conjunctNames, firstBroken, type Conjuncts, type StepContext } from "./invariant.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

type Chunk = AreamapDetail["chunks"][number];
interface Wanted {
  readonly name: string;
  readonly size: number;
}

const chunkOf = (detail: AreamapDetail, ptr: number) =>
  detail.chunks.find((c) => ptr >= c.base && ptr < c.base + detail.unitSize);

/** The live objects by chunk and offset. */
function wantedAreas(detail: AreamapDetail, ctx: StepContext): Map<number, Map<number, Wanted>> {
  const wanted = new Map<number, Map<number, Wanted>>();
  for (const o of ctx.model.liveObjects()) {
    const chunk = chunkOf(detail, o.ptr);
    if (chunk === undefined) continue;
    let byOff = wanted.get(chunk.id);
    if (byOff === undefined) wanted.set(chunk.id, (byOff = new Map()));
    byOff.set(o.ptr - chunk.base, { name: o.name, size: o.size });
  }
  return wanted;
}

/** The map's entries with their offsets, the first chunk's static and reserved head aside. */
function* usedEntries(c: Chunk): Generator<[number, number]> {
  let off = 0;
  for (const e of c.map) {
    if (e < 0 && !(c.first && off === 0)) yield [off, -e];
    off += Math.abs(e);
  }
}

const WHOLE: Conjuncts<[AreamapDetail, StepContext]> = {
  in_chunk(detail, ctx) {
    const o = ctx.model.liveObjects().find((x) => chunkOf(detail, x.ptr) === undefined);
    return o === undefined ? undefined : `${o.name} at 0x${o.ptr.toString(16)} is in no chunk`;
  },
};

const PER_CHUNK: Conjuncts<[Chunk, Map<number, Wanted>, AreamapDetail]> = {
  live: (c, byOff) =>
    c.live !== byOff.size
      ? `chunk ${c.id} counts ${c.live} live objects, but ${byOff.size} live there`
      : undefined,
  static_head(c, _byOff, { staticSize, reservedSize }) {
    const e = c.map[0];
    return c.first && e !== undefined && e !== -(staticSize + reservedSize)
      ? `the first chunk's map starts with ${e}, expected the static and reserved head -${staticSize + reservedSize}`
      : undefined;
  },
  used_areas(c, byOff) {
    for (const [off, size] of usedEntries(c)) {
      const o = byOff.get(off);
      if (o === undefined) {
        return `chunk ${c.id}: a used area of ${size} bytes at offset ${off} belongs to no live object: [${c.map.join(", ")}]`;
      }
      if (size < o.size) {
        return `chunk ${c.id}: ${o.name} (${o.size} bytes) at offset ${off} has a used area of only ${size} bytes`;
      }
    }
    return undefined;
  },
  starts_area(c, byOff) {
    const starts = new Set([...usedEntries(c)].map(([off]) => off));
    for (const [at, o] of byOff) {
      if (!starts.has(at)) {
        return `chunk ${c.id}: ${o.name} at offset ${at} starts no used area: [${c.map.join(", ")}]`;
      }
    }
    return undefined;
  },
};

/**
 * areamap-live-areas: the used entries of the area maps are exactly the live objects: one
 * used entry starts at each live object's offset and covers at least the object, no other used
 * entry exists (the first chunk's static and reserved head aside), and each chunk counts its
 * live objects right. A failed allocation that kept its area, or a free that left one, shows
 * here at once.
 *
 *   chunk 1 map  [ +100 | -24 | +8 | -16386 | +16250 ]       live: o3 at 100 (24 bytes),
 *   offsets         0     100   124   132      16518           o5 at 132 (16384 bytes, +2 tail)
 *
 * What does not hold: a used entry the size of its object. pcpu_alloc_area keeps a tail under
 * sizeof(int) with the area ("if tail is small, just keep it around") and gives a head under
 * sizeof(int) to the entry before it, used or free ("If head is small or the previous block is
 * free, merge'em"), so an area grows by such heads, again and again, until it is freed.
 *
 * Source: mm/percpu.c of 2.6.30: pcpu_alloc_area, pcpu_alloc's fail path freeing the area when
 * populating fails (pcpu_free_area), and free_percpu's BUG_ON for a free of an offset that
 * starts no used entry.
 * Cost: O(map entries + live objects) per audit (every K steps, every ENOMEM, end of run).
 */
export const areamapLiveAreas = whiteBoxInvariant<AreamapDetail>({
  id: "areamap-live-areas",
  title: "the area maps' used entries are exactly the live objects",
  source: "mm/percpu.c 2.6.30: pcpu_alloc_area, pcpu_alloc's fail path, pcpu_free_area",
  cost: "O(map entries + live objects) per audit",
  design: "areamap-2009",
  conjuncts: conjunctNames(WHOLE, PER_CHUNK),
  judge(detail, ctx) {
    const whole = firstBroken(WHOLE, detail, ctx);
    if (whole !== undefined) return whole;
    const wanted = wantedAreas(detail, ctx);
    for (const c of detail.chunks) {
      const byOff = wanted.get(c.id) ?? new Map<number, Wanted>();
      const broken = firstBroken(PER_CHUNK, c, byOff, detail);
      if (broken !== undefined) return broken;
    }
    return undefined;
  },
});
