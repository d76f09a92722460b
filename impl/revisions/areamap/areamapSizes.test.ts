/**
 * areamap-2009's fixed figures: the owner tags, fls, the unit layout's check for a possible
 * mask with a hole, the retained pool's bound and the list of known differences.
 */
import { describe, expect, it } from "vitest";
import { PAGE_SIZE } from "../../machine/index.ts";
import { bootConfig } from "../testing.ts";
import { AREAMAP_DIFFERENCES } from "./areamapDifferences.ts";
import { AREAMAP_POOL, mapEntriesAtMost, mapFootprint } from "./areamapPool.ts";
import { MAP_PAGE_OWNER } from "./pcpuMem.ts";
import { chunkStructSize, fls, UNIT_PAGE_OWNER, UNIT_SIZE } from "./pcpuSizes.ts";
import { buildUnitLayout } from "./unitLayout.ts";

describe("owner tags and fls", () => {
  /*
   *   unit pages  -> "percpu-data"      vmalloc'd maps' pages -> "percpu-map"
   *   fls(0) = 0, fls(1) = 1, fls(32) = 6
   *
   * Expect the tags the machine's page accounting shows, and fls of 0 to be 0 (not -Infinity).
   */
  it("names the pages' owners and takes fls(0) as 0", () => {
    expect(UNIT_PAGE_OWNER).toBe("percpu-data");
    expect(MAP_PAGE_OWNER).toBe("percpu-map");
    expect(fls(0)).toBe(0);
    expect(fls(1)).toBe(1);
    expect(fls(32)).toBe(6);
  });
});

describe("buildUnitLayout", () => {
  /*
   *   possible 0 1 2     | u0 | u1 | u2 |          nothing outside
   *   possible 0 1 3     | u0 | u1 | .. | u3 past the area of 3 units
   *   possible 0 2       | u0 | .. | u2 past the area of 2 units
   *
   * Expect outsideArea undefined, 3 and 2, and CPU c's offset c x unit_size.
   */
  it("names the first CPU whose unit lies past the vm area", () => {
    const full = buildUnitLayout([0, 1, 2], UNIT_SIZE);
    expect(full.outsideArea).toBeUndefined();
    expect(full.nrUnits).toBe(3);
    expect([...full.unitOffsets]).toEqual([
      [0, 0],
      [1, UNIT_SIZE],
      [2, 2 * UNIT_SIZE],
    ]);
    expect(buildUnitLayout([0, 1, 3], UNIT_SIZE).outsideArea).toBe(3);
    expect(buildUnitLayout([0, 2], UNIT_SIZE).outsideArea).toBe(2);
  });
});

describe("the retained pool", () => {
  /*
   *   peakLive 600: a map of at most 2 x 602 + 1 = 1205 entries, doubled from 16 to 2048
   *   (8 KiB: vmalloc, 2 pages and 8 KiB of vm area each)
   *
   *   4 CPUs:  pages  4 x (8 unit pages + 4 first-chunk dynamic pages) + 1 struct slab page
   *                   + 2 maps x 2 pages                                           = 53
   *            vm     4 x 32 KiB + 2 maps x 8 KiB                                  = 144 KiB
   *
   * Expect those figures, and a small run's maps to be kmalloc'd (no vm bytes).
   */
  it("bounds the spare chunk, the first chunk's dynamic pages and two maps", () => {
    expect(mapEntriesAtMost(600)).toBe(2048);
    expect(mapFootprint(2048)).toEqual({ pages: 2, vmBytes: 2 * PAGE_SIZE });
    expect(chunkStructSize(4)).toBeLessThan(PAGE_SIZE);
    expect(AREAMAP_POOL.bound(bootConfig(), 600)).toEqual({
      pages: 53,
      vmBytes: 4 * UNIT_SIZE + 2 * 2 * PAGE_SIZE,
    });
    expect(AREAMAP_POOL.bound(bootConfig(), 1).vmBytes).toBe(4 * UNIT_SIZE);
    expect(AREAMAP_POOL.what).toContain("pcpu_reclaim");
  });
});

describe("the known differences", () => {
  /*
   *   reserved chunk | fixed sizes | no holes | walk oops | first chunk pages | map check |
   *   rbtree | locking | reclaim under the mutex | allocations after the lock drop |
   *   EINVAL for a bad free
   *
   * Expect the eleven, each a sentence of its own.
   */
  it("lists eleven distinct differences", () => {
    expect(AREAMAP_DIFFERENCES).toHaveLength(11);
    expect(new Set(AREAMAP_DIFFERENCES).size).toBe(11);
    for (const d of AREAMAP_DIFFERENCES) expect(d.length).toBeGreaterThan(40);
    expect(AREAMAP_DIFFERENCES[0]).toContain("reserved chunk");
    expect(AREAMAP_DIFFERENCES[8]).toContain("971f3918a5a8");
    expect(AREAMAP_DIFFERENCES[10]).toContain("EINVAL");
  });
});
