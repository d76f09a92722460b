/**
 * areamap-2009's chunks from birth to reclaim: alloc_pcpu_chunk's failures (the map, the vm
 * area), pcpu_extend_area_map's failure and its vmalloc'd maps, pcpu_reclaim giving back each
 * freed chunk's struct and map, and when a free schedules reclaim.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { PAGE_SIZE, totalPages } from "../../machine/index.ts";
import { unwrap } from "../../result.ts";
import { booted, expectErr, machineOf, snapshot } from "../testing.ts";
import { AreamapAllocator, UNIT_SIZE, type AreamapDetail } from "./areamapAllocator.ts";
import { MAP_PAGE_OWNER } from "./pcpuMem.ts";

let a: AreamapAllocator;
beforeEach(() => {
  a = new AreamapAllocator();
});

function detail(): AreamapDetail {
  return unwrap(a.inspect()).detail as AreamapDetail;
}

function mapPages(): number {
  return totalPages(machineOf(a).pages.heldBy(MAP_PAGE_OWNER));
}

describe("alloc_pcpu_chunk", () => {
  /*
   *   a fresh boot, CPUs 0-1; a 32 KiB request needs chunk 1:
   *   page allocation 0: the chunk struct's slab page (kzalloc, 216 bytes)
   *   page allocation 1: the map's slab page (16 ints), refused
   *
   * Expect ENOMEM and everything as before: the struct freed again.
   */
  it("a refused map frees the struct", () => {
    booted(a, { possible: [0, 1] });
    const before = snapshot(a);
    machineOf(a).pages.failAfter(1, 1);
    expectErr(a.alloc(UNIT_SIZE, 4), "ENOMEM");
    expect(snapshot(a)).toEqual(before);
  });

  /*
   *   a vmalloc area of 17 pages: the first chunk's 2 units and its guard page, no more
   *
   * Expect ENOMEM for chunk 1's vm area, its map and struct freed: everything as before.
   */
  it("a refused vm area frees the map and the struct", () => {
    booted(a, { possible: [0, 1], vmallocBytes: 17 * PAGE_SIZE });
    const before = snapshot(a);
    expectErr(a.alloc(UNIT_SIZE, 4), "ENOMEM", "vmalloc");
    expect(snapshot(a)).toEqual(before);
  });

  /*
   *   chunk 1's vm area: 2 units, owner "percpu"   | unit of cpu 0 | unit of cpu 1 |
   *
   * Expect the area named "percpu", as the first chunk's is.
   */
  it('reserves each chunk\'s units as a "percpu" vm area', () => {
    booted(a, { possible: [0, 1] });
    const p = unwrap(a.alloc(UNIT_SIZE, 4));
    const m = machineOf(a);
    expect(m.vmalloc.areaOf(p)).toMatchObject({ owner: "percpu", size: 2 * UNIT_SIZE });
    expect(m.vmalloc.areaOf(detail().chunks[0]!.base)?.owner).toBe("percpu");
  });
});

describe("pcpu_extend_area_map", () => {
  /*
   *   a fresh boot: the first chunk's dmap[2] must grow to 16 entries before the first fit;
   *   the kzalloc of 64 bytes needs a slab page, refused
   *
   * Expect ENOMEM and everything as before (the static map kept).
   */
  it("a refused map fails the allocation and keeps the old map", () => {
    booted(a, { possible: [0, 1] });
    const before = snapshot(a);
    machineOf(a).pages.failAfter(0, 1);
    expectErr(a.alloc(8, 8), "ENOMEM");
    expect(snapshot(a)).toEqual(before);
    expect(detail().chunks[0]?.mapAlloc).toBe(2);
  });

  /*
   *   2100 objects of 4 bytes in the first chunk: map 2 -> 16 -> 32 -> ... -> 2048 (8 KiB,
   *   vmalloc, 2 pages) -> 4096 (16 KiB, 4 pages); the 2048-entry map vfree'd whole
   *
   * Expect 9 extensions and 4 map pages held: each old vmalloc'd map unmapped and freed.
   */
  it("vfrees a vmalloc'd map it replaces", () => {
    booted(a, { possible: [0, 1] });
    for (let i = 0; i < 2100; i++) unwrap(a.alloc(4, 4));
    expect(detail().chunks[0]).toMatchObject({ mapAlloc: 4096 });
    expect(detail().mapExtensions).toBe(9);
    expect(mapPages()).toBe(4);
  });
});

describe("pcpu_reclaim", () => {
  /*
   *   chunks 1 and 2, a 32 KiB object each; both freed: the last slot [2, 1]
   *   reclaim: chunk 1 freed (its pages, vm area, map, struct), chunk 2 kept
   *
   * Expect the slab back to what it was with one chunk: chunk 1's struct and map kfree'd.
   */
  it("frees a reclaimed chunk's struct and map", () => {
    booted(a, { possible: [0, 1] });
    const m = machineOf(a);
    const big1 = unwrap(a.alloc(UNIT_SIZE, 4));
    const slab = m.kmalloc.bytesInUse;
    const areas = m.vmalloc.areaCount;
    const big2 = unwrap(a.alloc(UNIT_SIZE, 4));
    unwrap(a.free(big1));
    unwrap(a.free(big2));
    expect(detail().reclaimPending).toBe(true);
    unwrap(a.reclaim());
    expect(detail().chunks.map((c) => c.id)).toEqual([0, 2]);
    expect(m.kmalloc.bytesInUse).toBe(slab);
    expect(m.vmalloc.areaCount).toBe(areas);
  });

  /*
   *   the first chunk filled (16 KiB); 1100 objects of 4 bytes in chunk 1, whose map grows to
   *   2048 entries (vmalloc, 2 pages); a 32 KiB object in chunk 2; all freed: last slot [2, 1]
   *
   * Expect reclaim to vfree chunk 1's map whole: no map page left (the first chunk's map is
   * 16 entries, kzalloc'd).
   */
  it("vfrees a reclaimed chunk's vmalloc'd map", () => {
    booted(a, { possible: [0, 1] });
    unwrap(a.alloc(16384, 4));
    const small = Array.from({ length: 1100 }, () => unwrap(a.alloc(4, 4)));
    const big = unwrap(a.alloc(UNIT_SIZE, 4));
    expect(detail().chunks[1]).toMatchObject({ id: 1, mapAlloc: 2048 });
    expect(mapPages()).toBe(2);
    for (const p of small) unwrap(a.free(p));
    unwrap(a.free(big));
    unwrap(a.reclaim());
    expect(detail().chunks.map((c) => c.id)).toEqual([0, 2]);
    expect(mapPages()).toBe(0);
  });
});

describe("when a free schedules reclaim", () => {
  /*
   *   chunk 1 fully free on the last slot (its 32 KiB object freed, alone there: nothing
   *   scheduled); then a free in the first chunk, which stays partly used
   *
   * Expect no reclaim scheduled: only a chunk that becomes fully free schedules it.
   */
  it("a free that leaves its chunk partly used schedules nothing", () => {
    booted(a, { possible: [0, 1] });
    const x = unwrap(a.alloc(8, 8));
    unwrap(a.alloc(8, 8));
    unwrap(a.free(unwrap(a.alloc(UNIT_SIZE, 4))));
    expect(detail().reclaimPending).toBe(false);
    unwrap(a.free(x));
    expect(detail().reclaimPending).toBe(false);
  });
});
