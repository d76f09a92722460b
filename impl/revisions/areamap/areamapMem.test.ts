/**
 * areamap-2009's pcpu_mem_alloc / pcpu_mem_free (pcpuMem.ts): kzalloc up to PAGE_SIZE, vmalloc
 * of whole mapped pages above, vmalloc's unwind when a page is refused half way.
 */
import { describe, expect, it } from "vitest";
import { PAGE_SIZE, totalPages, type Machine } from "../../machine/index.ts";
import { unwrap } from "../../result.ts";
import { booted, expectErr, machineOf } from "../testing.ts";
import { AreamapAllocator } from "./areamapAllocator.ts";
import { MAP_PAGE_OWNER, pcpuMemAlloc, pcpuMemFree } from "./pcpuMem.ts";

function machine(overrides = {}): Machine {
  return machineOf(booted(new AreamapAllocator(), overrides));
}

function counts(m: Machine) {
  return {
    slab: m.kmalloc.bytesInUse,
    areas: m.vmalloc.areaCount,
    vm: m.vmalloc.reservedBytes,
    mapped: m.vmalloc.mappedPages,
    mapPages: totalPages(m.pages.heldBy(MAP_PAGE_OWNER)),
  };
}

describe("pcpu_mem_alloc and pcpu_mem_free", () => {
  /*
   *   PAGE_SIZE bytes  -> kzalloc     | slab object |
   *
   * Expect a kmalloc'd map at PAGE_SIZE exactly, no vm area, and kfree giving it back.
   */
  it("kzallocs up to PAGE_SIZE and kfrees it", () => {
    const m = machine();
    const before = counts(m);
    const mem = unwrap(pcpuMemAlloc(m, PAGE_SIZE));
    expect(mem).toEqual({ kind: "kmalloc", addr: expect.any(Number) as number });
    expect(m.kmalloc.bytesInUse).toBeGreaterThan(before.slab);
    expect(m.vmalloc.areaCount).toBe(before.areas);
    pcpuMemFree(m, mem, PAGE_SIZE);
    expect(counts(m)).toEqual(before);
  });

  /*
   *   PAGE_SIZE + 1 bytes -> vmalloc   | page | page | (guard)   an area "vmalloc", 2 pages
   *
   * Expect both pages mapped and held as "percpu-map", from highmem (vmalloc's
   * GFP_KERNEL | __GFP_HIGHMEM), and vfree unmapping, freeing and releasing everything.
   */
  it("vmallocs above PAGE_SIZE, every page mapped, and vfrees it", () => {
    const m = machine();
    const before = counts(m);
    const mem = unwrap(pcpuMemAlloc(m, PAGE_SIZE + 1));
    if (mem.kind !== "vmalloc") throw new Error(`expected vmalloc, got ${mem.kind}`);
    expect(m.vmalloc.areaOf(mem.addr)).toMatchObject({ owner: "vmalloc", size: 2 * PAGE_SIZE });
    expect(m.vmalloc.lookup(mem.addr)).toBeDefined();
    expect(m.vmalloc.lookup(mem.addr + PAGE_SIZE)).toBeDefined();
    expect(counts(m)).toEqual({
      ...before,
      areas: before.areas + 1,
      vm: before.vm + 2 * PAGE_SIZE,
      mapped: before.mapped + 2,
      mapPages: 2,
    });
    expect(m.pages.heldBy(MAP_PAGE_OWNER).reduce((n, z) => n + z.high, 0)).toBe(2);
    pcpuMemFree(m, mem, PAGE_SIZE + 1);
    expect(counts(m)).toEqual(before);
  });

  /*
   *   3 pages: | page | refused |  ...   vmalloc's unwind
   *
   * Expect ENOMEM with the first page unmapped and freed and the area released.
   */
  it("gives back what it took when a page is refused half way", () => {
    const m = machine();
    const before = counts(m);
    m.pages.failAfter(1, 1);
    expectErr(pcpuMemAlloc(m, 3 * PAGE_SIZE), "ENOMEM");
    expect(counts(m)).toEqual(before);
  });

  /*
   *   a vmalloc area with room for the first chunk (4 units + guard) and nothing more
   *
   * Expect ENOMEM from get_vm_area and nothing taken.
   */
  it("fails when there is no vm area", () => {
    const m = machine({ vmallocBytes: 4 * 32 * 1024 + 2 * PAGE_SIZE });
    const before = counts(m);
    expectErr(pcpuMemAlloc(m, 2 * PAGE_SIZE), "ENOMEM");
    expect(counts(m)).toEqual(before);
  });

  /*
   *   the first chunk's static dmap[2]
   *
   * Expect pcpu_mem_free to leave everything as it was.
   */
  it("does not free the first chunk's static map", () => {
    const m = machine();
    const before = counts(m);
    pcpuMemFree(m, { kind: "static" }, 8);
    expect(counts(m)).toEqual(before);
  });
});
