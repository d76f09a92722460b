/**
 * What areamap-2009 keeps with nothing live, by design (mm/percpu.c of 2.6.30):
 *
 *   first chunk (boot)  | static | reserved | dynamic |  its map: dmap[2], then a kzalloc'd map
 *                                                       that never shrinks
 *   spare chunk         |        free 32 KiB         |  pcpu_reclaim frees every fully free
 *                                                       chunk but the first on the last slot:
 *                                                       the spare keeps its vm area, struct,
 *                                                       map and every page it populated
 *
 * The first chunk's dynamic pages, which the x86 4k set-up populates on demand, stay populated:
 * the first chunk is never reclaimed.
 *
 * The bound: the first chunk's dynamic pages and one chunk's pages for every possible CPU's unit, its vm area, its struct's slab
 * (the struct holds a page pointer per possible CPU and unit page, pcpu_chunk_struct_size),
 * and two maps (the spare's and the first chunk's) of the largest size a run whose peak is
 * `peakLive` live objects can make them.
 *
 * A map's length: a chunk holding n areas has at most 2n + 1 entries (a free entry between
 * any two areas and at both ends); the first chunk's used static head is one more area, and a
 * failing allocation holds one area more than the live objects while it populates. So a map
 * uses at most 2 (peakLive + 2) + 1 entries, and pcpu_need_to_extend doubles it from
 * PCPU_DFL_MAP_ALLOC (16) until two entries are spare. pcpu_mem_alloc takes kzalloc up to
 * PAGE_SIZE (one slab page at most) and vmalloc above (whole pages and their vm area).
 */
import { alignUp, kmallocPagesAtMost, PAGE_SIZE } from "../../machine/index.ts";
import type { PoolBound, RetainedPool } from "../retainedPool.ts";
import { INT_SIZE } from "./pcpuChunk.ts";
import {
  chunkStructSize,
  DYNAMIC_SIZE,
  PCPU_DFL_MAP_ALLOC,
  UNIT_PAGES,
  UNIT_SIZE,
} from "./pcpuSizes.ts";

/** The first chunk's dynamic pages: populated on demand (the 4k set-up), never depopulated. */
const FIRST_DYNAMIC_PAGES = DYNAMIC_SIZE / PAGE_SIZE;

/** The most entries a map of a chunk can reach when at most `peakLive` objects live at once. */
export function mapEntriesAtMost(peakLive: number): number {
  const used = 2 * (peakLive + 2) + 1;
  let alloc = PCPU_DFL_MAP_ALLOC;
  while (alloc < used + 2) alloc *= 2;
  return alloc;
}

/** Pages and vm bytes of one map of `entries` ints (pcpu_mem_alloc). */
export function mapFootprint(entries: number): PoolBound {
  const bytes = entries * INT_SIZE;
  if (bytes <= PAGE_SIZE) return { pages: kmallocPagesAtMost(bytes), vmBytes: 0 };
  const vm = alignUp(bytes, PAGE_SIZE);
  return { pages: vm / PAGE_SIZE, vmBytes: vm };
}

export const AREAMAP_POOL: RetainedPool = {
  what: "the first chunk keeps the dynamic pages it populated on demand (x86 setup_pcpu_4k maps only the static pages at boot); pcpu_reclaim spares the first fully free chunk on the last slot, which keeps its vm area, struct, map and populated pages, and area maps never shrink: the first chunk's static dmap[2] gives way to a kzalloc'd map at its first allocation, and every map keeps the length it doubled to (pcpu_extend_area_map) (mm/percpu.c 2.6.30)",
  bound(config, peakLive) {
    const units = config.possible.length;
    const map = mapFootprint(mapEntriesAtMost(peakLive));
    return {
      pages:
        units * (UNIT_PAGES + FIRST_DYNAMIC_PAGES) +
        kmallocPagesAtMost(chunkStructSize(units)) +
        2 * map.pages,
      vmBytes: units * UNIT_SIZE + 2 * map.vmBytes,
    };
  },
};
