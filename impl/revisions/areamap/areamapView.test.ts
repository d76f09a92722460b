/**
 * areamap-2009 as the protocol sees it: its names, the boot checks, the messages of refused
 * requests, and `inspect`'s block and object views, rebuilt after every operation.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { unwrap } from "../../result.ts";
import { bootConfig, booted, expectErr } from "../testing.ts";
import { AreamapAllocator, UNIT_SIZE, type AreamapDetail } from "./areamapAllocator.ts";

let a: AreamapAllocator;
beforeEach(() => {
  a = new AreamapAllocator();
});

function detail(): AreamapDetail {
  return unwrap(a.inspect()).detail as AreamapDetail;
}

describe("names and boot", () => {
  /*
   *   possible CPUs given as 2 0 1: the mask 0..2, sorted before the check
   *
   * Expect the names "areamap-2009" and a boot with 3 units at 0, 1 and 2 x unit_size.
   */
  it("is areamap-2009 and sorts the possible mask before checking it", () => {
    expect(a.name).toBe("areamap-2009");
    expect(a.revision).toBe("areamap-2009");
    booted(a, { possible: [2, 0, 1] });
    expect(detail().unitOffsets).toEqual(
      [0, 1, 2].map((cpu) => ({ cpu, offset: cpu * UNIT_SIZE })),
    );
  });

  /*
   *   possible 0 1 3: a hole at 2, three units
   *
   * Expect EINVAL naming the mask 0..2 it would need and CPU 3.
   */
  it("names the mask it needs when it refuses a hole", () => {
    expectErr(
      a.boot(bootConfig({ possible: [0, 1, 3] })),
      "EINVAL",
      "possible CPUs must be 0..2",
      "CPU 3 is possible",
    );
  });

  /*
   *   a vmalloc area of 2 pages; a node of 2 pages for 2 CPUs' static pages each
   *
   * Expect the boot to stop (a MachineError, the kernel's panic) naming the first chunk.
   */
  it("stops when the first chunk gets no vm area or no static page", () => {
    expect(() => a.boot(bootConfig({ vmallocBytes: 8192 }))).toThrow(
      "areamap-2009: first chunk: vmalloc: no room",
    );
    expect(() => new AreamapAllocator().boot(bootConfig({ pagesPerNode: 2 }))).toThrow(
      "percpu: first chunk: node 0 has no free",
    );
  });
});

describe("refused requests", () => {
  /*
   *   first chunk | static + reserved (16 KiB) | p (8) | free |   and base + unit_size: CPU 1's
   *   unit, in no chunk's unit 0
   *
   * Expect each EINVAL to name the address in hex and why.
   */
  it("name the address and the reason", () => {
    booted(a);
    const base = detail().chunks[0]!.base;
    const p = unwrap(a.alloc(8, 8));
    const hex = (x: number): string => `0x${x.toString(16)}`;
    expectErr(
      a.free(base + UNIT_SIZE),
      "EINVAL",
      `free: ${hex(base + UNIT_SIZE)} is in no chunk's unit 0`,
    );
    expectErr(
      a.free(base + 8),
      "EINVAL",
      `free: ${hex(base + 8)} is in the static or reserved area`,
    );
    expectErr(
      a.free(p + 4),
      "EINVAL",
      `free: ${hex(p + 4)} (offset ${p + 4 - base}) does not start an allocated area`,
    );
    expectErr(a.ptr(p + 4, 0), "EINVAL", `ptr: ${hex(p + 4)} is not a live percpu pointer`);
  });

  /*
   *   alignments -1 and 1.5
   *
   * Expect EINVAL naming the alignment and the range 0..4096.
   */
  it("refuse a negative or fractional alignment", () => {
    booted(a);
    expectErr(a.alloc(8, -1), "EINVAL", "alloc: align -1 invalid, expected 0..4096");
    expectErr(a.alloc(8, 1.5), "EINVAL", "alloc: align 1.5 invalid");
  });
});

describe("inspect", () => {
  /*
   *   first chunk | head | p 8 | free |      partial
   *   chunk 1     | q 32 KiB          |      full
   *   then q freed: chunk 1 empty
   *
   * Expect those states, live counts and free bytes, and the objects with their chunk and
   * offset.
   */
  it("shows each chunk's state and each object's chunk and offset", () => {
    booted(a, { possible: [0, 1] });
    const p = unwrap(a.alloc(8, 8));
    const q = unwrap(a.alloc(UNIT_SIZE, 4));
    const v = unwrap(a.inspect());
    expect(v.blocks).toEqual([
      { id: 0, state: "partial", live: 1, freeBytes: 16384 - 8 },
      { id: 1, state: "full", live: 1, freeBytes: 0 },
    ]);
    expect(v.objects).toEqual([
      { ptr: p, block: 0, offset: 16384 },
      { ptr: q, block: 1, offset: 0 },
    ]);
    unwrap(a.free(q));
    expect(unwrap(a.inspect()).blocks[1]).toEqual({
      id: 1,
      state: "empty",
      live: 0,
      freeBytes: UNIT_SIZE,
    });
  });

  /*
   *   inspect, inspect: nothing in between
   *
   * Expect the same block and object arrays (the view is rebuilt only after an operation).
   */
  it("reuses its view until an operation", () => {
    booted(a);
    unwrap(a.alloc(8, 8));
    const v1 = unwrap(a.inspect());
    const v2 = unwrap(a.inspect());
    expect(v2.blocks).toBe(v1.blocks);
    expect(v2.objects).toBe(v1.objects);
  });

  /*
   *   each operation after a view was taken, then its inverse-looking step:
   *   alloc + free (a page populated on the way), free + a larger alloc, reclaim + alloc,
   *   reboot after two allocations
   *
   * Expect every later view to show the state as it is, never the earlier one.
   */
  it("is rebuilt after alloc, free, reclaim and boot", () => {
    booted(a, { possible: [0, 1] });
    expect(detail().chunks[0]?.populatedPages).toBe(2);
    unwrap(a.free(unwrap(a.alloc(8, 8))));
    expect(detail().chunks[0]?.populatedPages).toBe(3);

    const p = unwrap(a.alloc(8, 8));
    expect(unwrap(a.inspect()).blocks[0]?.freeBytes).toBe(16384 - 8);
    unwrap(a.free(p));
    unwrap(a.alloc(64, 8));
    expect(unwrap(a.inspect()).blocks[0]?.freeBytes).toBe(16384 - 64);

    expect(unwrap(a.inspect()).objects).toHaveLength(1);
    unwrap(a.reclaim());
    unwrap(a.alloc(8, 8));
    expect(unwrap(a.inspect()).objects).toHaveLength(2);

    booted(a, { possible: [0, 1] });
    unwrap(a.alloc(8, 8));
    expect(unwrap(a.inspect()).objects).toHaveLength(1);
    unwrap(a.alloc(8, 8));
    booted(a, { possible: [0, 1] });
    expect(unwrap(a.inspect()).objects).toHaveLength(0);
  });
});
