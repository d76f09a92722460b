import type { AreamapDetail } from "../../impl/index.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

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
  judge(detail, ctx) {
    const { chunks, unitSize, staticSize, reservedSize } = detail;
    const wanted = new Map<number, Map<number, { name: string; size: number }>>();
    for (const o of ctx.model.liveObjects()) {
      const chunk = chunks.find((c) => o.ptr >= c.base && o.ptr < c.base + unitSize);
      if (chunk === undefined) return `${o.name} at 0x${o.ptr.toString(16)} is in no chunk`;
      let byOff = wanted.get(chunk.id);
      if (byOff === undefined) wanted.set(chunk.id, (byOff = new Map()));
      byOff.set(o.ptr - chunk.base, { name: o.name, size: o.size });
    }
    for (const c of chunks) {
      const byOff = wanted.get(c.id) ?? new Map<number, { name: string; size: number }>();
      if (c.live !== byOff.size) {
        return `chunk ${c.id} counts ${c.live} live objects, but ${byOff.size} live there`;
      }
      let off = 0;
      const found = new Set<number>();
      for (const e of c.map) {
        const head = c.first && off === 0;
        if (e < 0 && !head) {
          const o = byOff.get(off);
          if (o === undefined) {
            return `chunk ${c.id}: a used area of ${-e} bytes at offset ${off} belongs to no live object: [${c.map.join(", ")}]`;
          }
          if (-e < o.size) {
            return `chunk ${c.id}: ${o.name} (${o.size} bytes) at offset ${off} has a used area of only ${-e} bytes`;
          }
          found.add(off);
        } else if (head && e !== -(staticSize + reservedSize)) {
          return `the first chunk's map starts with ${e}, expected the static and reserved head -${staticSize + reservedSize}`;
        }
        off += Math.abs(e);
      }
      for (const [at, o] of byOff) {
        if (!found.has(at)) {
          return `chunk ${c.id}: ${o.name} at offset ${at} starts no used area: [${c.map.join(", ")}]`;
        }
      }
    }
    return undefined;
  },
});
