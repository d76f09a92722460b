import { describe, expect, it } from "vitest";
import { MachineError, PAGE_SIZE, VMALLOC_START, VmallocArea, type VmArea } from "./index.ts";
import { unwrap } from "../result.ts";

const P = PAGE_SIZE;

function reserve(vm: VmallocArea, pages: number, owner = "t"): VmArea {
  return unwrap(vm.reserve(pages * P, owner));
}

/** Page index of an address inside the vmalloc area. */
function pageIndex(addr: number): number {
  return (addr - VMALLOC_START) / P;
}

describe("reserve: first fit with guard pages", () => {
  /*
   * Three areas of 1, 2 and 1 pages:
   *
   *   page  0   1   2   3   4   5   6
   *        [A ][g ][B     ][g ][C ][g ]
   *
   * Expect A at page 0, B at page 2, C at page 5: one unmapped guard page after each.
   */
  it("places areas one after another, each followed by a guard page", () => {
    const vm = new VmallocArea(64 * P);
    const a = reserve(vm, 1, "a");
    const b = reserve(vm, 2, "b");
    const c = reserve(vm, 1, "c");
    expect([a, b, c].map((x) => pageIndex(x.addr))).toEqual([0, 2, 5]);
    expect(b).toEqual({ addr: VMALLOC_START + 2 * P, size: 2 * P, owner: "b" });
    expect(vm.areaCount).toBe(3);
    expect(vm.reservedBytes).toBe(4 * P);
  });

  /*
   * Release B, then ask for 1 page and then 2 pages:
   *
   *   page  0   1   2   3   4   5   6   7   8   9
   *        [A ][g ][B'][g ]    [C ][g ][D     ][g ]
   *                 ^reused          ^2 pages do not fit the 2-page gap (guard needed)
   *
   * Expect the 1-page area in B's old place (the first gap that fits), and the 2-page
   * area after C, since 2 pages plus a guard do not fit the 1 page left before C.
   */
  it("reuses a released gap first fit", () => {
    const vm = new VmallocArea(64 * P);
    reserve(vm, 1);
    const b = reserve(vm, 2);
    const c = reserve(vm, 1);
    vm.release(b.addr);
    expect(vm.reservedBytes).toBe(2 * P);
    const b2 = reserve(vm, 1);
    expect(b2.addr).toBe(b.addr);
    const d = reserve(vm, 2);
    expect(pageIndex(d.addr)).toBe(pageIndex(c.addr) + 2);
    expect(vm.reservedBytes).toBe(5 * P);
  });

  /*
   * Release B (2 pages) and ask for 2 pages again:
   *
   *   page  0   1   2   3   4   5   6
   *        [A ][g ][B''   ][g ][C ][g ]
   *
   * Expect the gap of exactly size + guard to be used.
   */
  it("fits an area into a gap of exactly its size plus the guard", () => {
    const vm = new VmallocArea(64 * P);
    reserve(vm, 1);
    const b = reserve(vm, 2);
    reserve(vm, 1);
    vm.release(b.addr);
    expect(reserve(vm, 2).addr).toBe(b.addr);
  });

  /*
   * A vmalloc area of 4 pages:
   *
   *   page  0   1   2   3 | limit
   *        [A         ][g ]
   *
   * Expect a 3-page area to fit, and then no room even for 1 page (it needs its guard).
   */
  it("answers ENOMEM when the limit is reached, counting the guard page", () => {
    const vm = new VmallocArea(4 * P);
    reserve(vm, 3);
    const r = vm.reserve(P, "t");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe("ENOMEM");
    expect(vm.areaCount).toBe(1);
    expect(vm.reservedBytes).toBe(3 * P);
  });

  it("does not fit an area as large as the whole limit (no room for its guard)", () => {
    const vm = new VmallocArea(4 * P);
    expect(vm.reserve(4 * P, "t").ok).toBe(false);
    expect(vm.areaCount).toBe(0);
  });

  it.each([0, -P, 100, P + 1])("throws MachineError for size %i", (size) => {
    const vm = new VmallocArea(64 * P);
    expect(() => vm.reserve(size, "t")).toThrow(MachineError);
  });
});

describe("map, lookup, unmap, release", () => {
  it("maps pages inside an area and looks them up at any offset", () => {
    const vm = new VmallocArea(64 * P);
    const a = reserve(vm, 2);
    vm.map(a.addr, 7);
    vm.map(a.addr + P, 3);
    expect(vm.lookup(a.addr)).toBe(7);
    expect(vm.lookup(a.addr + 123)).toBe(7);
    expect(vm.lookup(a.addr + P + P - 1)).toBe(3);
    expect(vm.lookup(a.addr + 2 * P)).toBeUndefined(); // the guard page
    expect(vm.mappedPages).toBe(2);
    expect(vm.areaOf(a.addr + P + 5)).toBe(a);
    expect(vm.areaOf(a.addr + 2 * P)).toBeUndefined();
  });

  it("unmaps a page and returns its pfn", () => {
    const vm = new VmallocArea(64 * P);
    const a = reserve(vm, 1);
    vm.map(a.addr, 42);
    expect(vm.unmap(a.addr)).toBe(42);
    expect(vm.lookup(a.addr)).toBeUndefined();
    expect(vm.mappedPages).toBe(0);
    expect(() => vm.unmap(a.addr)).toThrow(MachineError);
  });

  it("throws MachineError mapping outside an area: the guard, a gap, past the end", () => {
    const vm = new VmallocArea(64 * P);
    const a = reserve(vm, 1);
    expect(() => vm.map(a.addr + P, 1)).toThrow(MachineError);
    expect(() => vm.map(VMALLOC_START + 10 * P, 1)).toThrow(MachineError);
    expect(() => vm.map(VMALLOC_START - P, 1)).toThrow(MachineError);
    expect(vm.mappedPages).toBe(0);
  });

  it("throws MachineError mapping at an address that is not page-aligned", () => {
    const vm = new VmallocArea(64 * P);
    const a = reserve(vm, 1);
    expect(() => vm.map(a.addr + 8, 1)).toThrow(MachineError);
  });

  it("throws MachineError mapping the same page twice, and keeps the first mapping", () => {
    const vm = new VmallocArea(64 * P);
    const a = reserve(vm, 1);
    vm.map(a.addr, 5);
    expect(() => vm.map(a.addr, 6)).toThrow(/already mapped/);
    expect(vm.lookup(a.addr)).toBe(5);
  });

  it("throws MachineError releasing an area with a page still mapped, and keeps the area", () => {
    const vm = new VmallocArea(64 * P);
    const a = reserve(vm, 3);
    vm.map(a.addr + 2 * P, 9);
    expect(() => vm.release(a.addr)).toThrow(MachineError);
    expect(vm.areaCount).toBe(1);
    expect(vm.reservedBytes).toBe(3 * P);
    vm.unmap(a.addr + 2 * P);
    vm.release(a.addr);
    expect(vm.areaCount).toBe(0);
    expect(vm.reservedBytes).toBe(0);
  });

  it("throws MachineError releasing an address that does not start an area", () => {
    const vm = new VmallocArea(64 * P);
    const a = reserve(vm, 2);
    expect(() => vm.release(a.addr + P)).toThrow(MachineError);
    expect(() => vm.release(VMALLOC_START + 20 * P)).toThrow(MachineError);
    vm.release(a.addr);
    expect(() => vm.release(a.addr)).toThrow(MachineError);
  });

  it("contains() covers exactly [VMALLOC_START, VMALLOC_START + limit)", () => {
    const vm = new VmallocArea(4 * P);
    expect(vm.contains(VMALLOC_START - 1)).toBe(false);
    expect(vm.contains(VMALLOC_START)).toBe(true);
    expect(vm.contains(VMALLOC_START + 4 * P - 1)).toBe(true);
    expect(vm.contains(VMALLOC_START + 4 * P)).toBe(false);
  });

  it("finds the right area among many (binary search)", () => {
    const vm = new VmallocArea(256 * P);
    const areas = Array.from({ length: 20 }, (_, i) => reserve(vm, 1 + (i % 3), `a${i}`));
    for (const a of areas) {
      expect(vm.areaOf(a.addr)).toBe(a);
      expect(vm.areaOf(a.addr + a.size - 1)).toBe(a);
      expect(vm.areaOf(a.addr + a.size)).toBeUndefined();
    }
  });
});
