/**
 * The retained pools of the chunk designs: what they keep with nothing live is real, stays
 * within the declared bound, and does not grow from one fill-and-empty cycle to the next.
 */
import { describe, expect, it } from "vitest";
import { PAGE_SIZE } from "../machine/index.ts";
import type { PercpuAllocator } from "../allocator.ts";
import { unwrap } from "../result.ts";
import { bootConfig, booted } from "./testing.ts";
import {
  AREAMAP_POOL,
  AreamapAllocator,
  BITMAP_POOL,
  BitmapAllocator,
  mapEntriesAtMost,
  mapFootprint,
  REVISIONS,
  type PoolBound,
} from "./index.ts";

/** Pages (all nodes) and vmalloc bytes the allocator holds now. */
function held(a: PercpuAllocator): PoolBound {
  const s = unwrap(a.stats());
  return { pages: s.pagesByNode.reduce((x, y) => x + y, 0), vmBytes: s.vmBytes };
}

/** What the allocator holds now above `from`. */
function heldSince(a: PercpuAllocator, from: PoolBound): PoolBound {
  const now = held(a);
  return { pages: now.pages - from.pages, vmBytes: now.vmBytes - from.vmBytes };
}

/** Allocates `count` objects of `size`, frees them all, runs reclaim. */
function fillAndEmpty(a: PercpuAllocator, count: number, size: number): void {
  const ptrs = Array.from({ length: count }, () => unwrap(a.alloc(size, 4)));
  for (const p of ptrs) unwrap(a.free(p));
  unwrap(a.reclaim());
}

describe("which designs have a pool", () => {
  it("the chunk designs declare one; legacy and the 2005 blocks return to their baseline", () => {
    const withPool = REVISIONS.filter((r) => r.pool !== undefined).map((r) => r.id);
    expect(withPool).toEqual(["areamap-2009", "bitmap-2017", "bitmap-2017-kernel"]);
    for (const r of REVISIONS) expect(r.pool?.what ?? "").not.toMatch(/TODO|placeholder/i);
  });
});

describe("the area map's length", () => {
  /*
   * n areas in a chunk: | free | used | free | used | ... | used | free |  = 2n + 1 entries;
   * the first chunk's static head is one area more, a failing allocation one more again.
   * pcpu_need_to_extend doubles the map from 16 until two entries are spare.
   *
   * Expect 0 live -> 16 entries, 5 -> 32, 1000 -> 2048, and the map's memory from kzalloc (one
   * slab page) up to PAGE_SIZE and from vmalloc (whole pages and their vm area) above.
   */
  it("grows with the peak of live objects, in doublings from PCPU_DFL_MAP_ALLOC", () => {
    expect(mapEntriesAtMost(0)).toBe(16);
    expect(mapEntriesAtMost(5)).toBe(32);
    expect(mapEntriesAtMost(1000)).toBe(2048);
    expect(mapFootprint(16)).toEqual({ pages: 1, vmBytes: 0 });
    expect(mapFootprint(1024)).toEqual({ pages: 1, vmBytes: 0 });
    expect(mapFootprint(2048)).toEqual({ pages: 2, vmBytes: 2 * PAGE_SIZE });
  });
});

describe("areamap-2009", () => {
  const config = bootConfig(); // 4 possible CPUs on 2 nodes

  /*
   * Three 32 KiB objects need three dynamic chunks (the first chunk's dynamic area is 16 KiB):
   *
   *   chunk 1 |####| chunk 2 |####| chunk 3 |####|  free all  ->  reclaim
   *   chunk 1 spared: 8 pages x 4 units, its struct and 16-entry map; chunks 2, 3 destroyed
   *
   * Expect the pool to hold one chunk (32 data pages + a struct slab + a map slab, 4 x 32 KiB
   * of vm area), within the bound of 51 pages (which also counts the first chunk's 4 dynamic
   * pages per unit, populated on demand and never depopulated) and 128 KiB, and to be the same
   * after a second and a third cycle.
   */
  it("keeps one spare chunk, the same after every cycle, within the bound", () => {
    const a = booted(new AreamapAllocator(), config);
    const from = held(a);
    const bound = AREAMAP_POOL.bound(config, 3);
    expect(bound).toEqual({ pages: 4 * (8 + 4) + 1 + 2, vmBytes: 4 * 32768 });
    fillAndEmpty(a, 3, 32768);
    const first = heldSince(a, from);
    expect(first).toEqual({ pages: 4 * 8 + 2, vmBytes: 4 * 32768 });
    fillAndEmpty(a, 3, 32768);
    fillAndEmpty(a, 3, 32768);
    expect(heldSince(a, from)).toEqual(first);
  });

  /*
   * 1500 objects of 8 bytes fill 12 KiB of the first chunk's 16 KiB dynamic area:
   *
   *   map [ -16384 | -8 | -8 | ... | -8 | +4384 ]   1502 entries -> 2048 allocated (8 KiB)
   *
   * Expect the map to keep its 8 KiB from vmalloc after every object is freed (maps never
   * shrink), and the bound for a peak of 1500 live objects to cover it.
   */
  it("keeps a grown map after everything is freed, within the bound for the peak", () => {
    const a = booted(new AreamapAllocator(), config);
    const from = held(a);
    fillAndEmpty(a, 1500, 8);
    const kept = heldSince(a, from);
    expect(kept.vmBytes).toBe(8192);
    expect(kept.pages).toBeGreaterThanOrEqual(2);
    const bound = AREAMAP_POOL.bound(config, 1500);
    expect(kept.pages).toBeLessThanOrEqual(bound.pages);
    expect(kept.vmBytes).toBeLessThanOrEqual(bound.vmBytes);
  });
});

describe("bitmap-2017", () => {
  const config = bootConfig();

  /*
   *   chunk 0 |####| chunk 1 |####| chunk 2 |####|  free all: the worker destroys all free
   *   chunks but one, which keeps its metadata, vm area and populated pages; pcpu_get_pages'
   *   array, made at the first populate, stays too
   *
   * Expect one chunk's vm area (4 x 32 KiB) to stay, its pages and metadata within the bound
   * (32 data pages + 4 metadata slabs + the page array's slab), and the same after a second
   * and a third cycle.
   */
  it("keeps one spare chunk, the same after every cycle, within the bound", () => {
    const a = booted(new BitmapAllocator(), config);
    const from = held(a);
    const bound = BITMAP_POOL.bound(config, 0);
    expect(bound).toEqual({ pages: 4 * 8 + 4 + 1, vmBytes: 4 * 32768 });
    expect(BITMAP_POOL.bound(config, 5000)).toEqual(bound);
    fillAndEmpty(a, 3, 32768);
    const first = heldSince(a, from);
    expect(first.vmBytes).toBe(4 * 32768);
    expect(first.pages).toBeGreaterThan(0);
    expect(first.pages).toBeLessThanOrEqual(bound.pages);
    fillAndEmpty(a, 3, 32768);
    fillAndEmpty(a, 3, 32768);
    expect(heldSince(a, from)).toEqual(first);
  });
});
