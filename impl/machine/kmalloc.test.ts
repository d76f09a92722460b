import { describe, expect, it } from "vitest";
import {
  KMALLOC_MAX_SIZE,
  KMALLOC_MIN_SIZE,
  Kmalloc,
  kmallocClass,
  MachineError,
  PAGE_OFFSET,
  PAGE_SIZE,
  PageAllocator,
  SLAB_OWNER,
  totalPages,
} from "./index.ts";
import { unwrap } from "../result.ts";

const P = PAGE_SIZE;

/** Two nodes of `low` low + `high` high pages, and kmalloc on them. */
function setup(low = 64, high = 64): { pa: PageAllocator; km: Kmalloc } {
  const pa = new PageAllocator(2, low, high);
  return { pa, km: new Kmalloc(pa) };
}

function pfnOf(addr: number): number {
  return Math.floor((addr - PAGE_OFFSET) / P);
}

describe("kmallocClass", () => {
  it.each([
    [0, 32],
    [1, 32],
    [32, 32],
    [33, 64],
    [100, 128],
    [4096, 4096],
    [4097, 8192],
    [65537, 131072],
    [131072, 131072],
  ])("kmallocClass(%i) = %i", (size, cls) => {
    expect(kmallocClass(size)).toBe(cls);
  });

  it("has no class above KMALLOC_MAX_SIZE", () => {
    expect(KMALLOC_MIN_SIZE).toBe(32);
    expect(KMALLOC_MAX_SIZE).toBe(131072);
    expect(kmallocClass(131073)).toBeUndefined();
    expect(kmallocClass(1 << 20)).toBeUndefined();
  });

  it("refuses kmalloc above the largest class with EINVAL, taking no page", () => {
    const { pa, km } = setup();
    const r = km.alloc(KMALLOC_MAX_SIZE + 1, 0);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe("EINVAL");
    expect(pa.allocatedPages).toBe(0);
  });
});

describe("objects", () => {
  it.each([1, 32, 33, 64, 100, 512, 2048, 4096, 8192, 16384, 131072])(
    "a %i-byte object is aligned to its class and has ksize of the class",
    (size) => {
      // Node 1's low zone starts at pfn 201 (201 low + 0 high per node), an odd pfn, so the
      // alignment of a multi-page slab must not come from the zone start.
      const pa = new PageAllocator(2, 201, 0);
      const km = new Kmalloc(pa);
      const cls = kmallocClass(size) as number;
      for (let i = 0; i < 3; i++) {
        const addr = unwrap(km.alloc(size, 1));
        expect(addr % cls).toBe(0);
        expect(km.size(addr)).toBe(cls);
      }
    },
  );

  /*
   * A 64-byte slab on node 1:
   *
   *   | o0 | o1 | o2 | ... | o63 |
   *     1st  2nd  3rd
   *
   * Expect objects at 64-byte steps from the start of a low-memory page on node 1.
   */
  it("places objects on the requested node, in low memory, class-size apart", () => {
    const { pa, km } = setup();
    const objs = [0, 1, 2].map(() => unwrap(km.alloc(64, 1)));
    expect(objs[1]! - objs[0]!).toBe(64);
    expect(objs[2]! - objs[1]!).toBe(64);
    expect((objs[0]! - PAGE_OFFSET) % P).toBe(0);
    const frame = pa.frameOf(pfnOf(objs[0]!));
    expect(frame).toMatchObject({ node: 1, zone: "low", owner: SLAB_OWNER });
    expect(pa.locate(pfnOf(objs[0]!))).toEqual({ node: 1, zone: "low" });
  });

  it("keeps caches per node: node 0 and node 1 objects never share a page", () => {
    const { pa, km } = setup();
    const a = unwrap(km.alloc(32, 0));
    const b = unwrap(km.alloc(32, 1));
    expect(pfnOf(a)).not.toBe(pfnOf(b));
    expect(pa.frameOf(pfnOf(a))?.node).toBe(0);
    expect(pa.frameOf(pfnOf(b))?.node).toBe(1);
  });

  it("keeps caches per class: 32- and 64-byte objects never share a page", () => {
    const { km } = setup();
    const a = unwrap(km.alloc(32, 0));
    const b = unwrap(km.alloc(64, 0));
    expect(pfnOf(a)).not.toBe(pfnOf(b));
  });

  it("never uses high memory, even when low memory runs out", () => {
    const { pa, km } = setup(1, 64);
    unwrap(km.alloc(4096, 0));
    const r = km.alloc(4096, 0);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe("ENOMEM");
    expect(pa.heldBy(SLAB_OWNER)[0]).toEqual({ low: 1, high: 0 });
  });

  it("hands back the lowest free object first, and reuses a freed one", () => {
    const { km } = setup();
    const objs = [0, 1, 2, 3].map(() => unwrap(km.alloc(128, 0)));
    km.free(objs[1]!);
    expect(unwrap(km.alloc(128, 0))).toBe(objs[1]);
    expect(unwrap(km.alloc(128, 0))).toBe(objs[3]! + 128);
  });
});

describe("slab pages", () => {
  /*
   * 64-byte objects, 64 to a page:
   *
   *   page A | o0 .. o63 |   page B | o64 |
   *
   * Expect one slab page for 64 objects and a second one for the 65th, accounted to "slab".
   */
  it("fits 64 objects of 64 bytes in one page; the 65th takes a second page", () => {
    const { pa, km } = setup();
    const objs = Array.from({ length: 64 }, () => unwrap(km.alloc(64, 0)));
    expect(new Set(objs.map(pfnOf)).size).toBe(1);
    expect(pa.heldBy(SLAB_OWNER)).toEqual([
      { low: 1, high: 0 },
      { low: 0, high: 0 },
    ]);
    expect(km.bytesInUse).toBe(64 * 64);
    const extra = unwrap(km.alloc(64, 0));
    expect(pfnOf(extra)).not.toBe(pfnOf(objs[0]!));
    expect(totalPages(pa.heldBy(SLAB_OWNER))).toBe(2);
    expect(pa.allocations).toBe(2);
  });

  /*
   * | o0 | o1 |  ...  -> free o0, free o1 ->  page back to the page allocator
   *
   * Expect no slab page held once the last object of the slab is freed.
   */
  it("returns an empty slab to the page allocator", () => {
    const { pa, km } = setup();
    const a = unwrap(km.alloc(256, 1));
    const b = unwrap(km.alloc(256, 1));
    km.free(a);
    expect(totalPages(pa.heldBy(SLAB_OWNER))).toBe(1);
    km.free(b);
    expect(totalPages(pa.heldBy(SLAB_OWNER))).toBe(0);
    expect(pa.allocatedPages).toBe(0);
    expect(km.bytesInUse).toBe(0);
    expect(km.size(a)).toBeUndefined();
    // The next allocation takes a page again (the freed one: LIFO).
    const c = unwrap(km.alloc(256, 1));
    expect(pfnOf(c)).toBe(pfnOf(a));
    expect(totalPages(pa.heldBy(SLAB_OWNER))).toBe(1);
  });

  it("a full slab that gets a free object serves the next allocation", () => {
    const { pa, km } = setup();
    const full = Array.from({ length: 2 }, () => unwrap(km.alloc(2048, 0)));
    const next = unwrap(km.alloc(2048, 0));
    expect(pfnOf(next)).not.toBe(pfnOf(full[0]!));
    km.free(full[0]!);
    expect(unwrap(km.alloc(2048, 0))).toBe(full[0]);
    expect(totalPages(pa.heldBy(SLAB_OWNER))).toBe(2);
  });

  /*
   * The 16384-byte class, one object per slab of 4 pages:
   *
   *   | p | p | p | p |  order-2 run, naturally aligned
   *
   * Expect an order-2 run held by "slab" and given back whole on kfree.
   */
  it("serves the 16384-byte class from an order-2 run", () => {
    const { pa, km } = setup();
    const obj = unwrap(km.alloc(10000, 0));
    const frame = pa.frameOf(pfnOf(obj));
    expect(frame).toMatchObject({ order: 2, owner: SLAB_OWNER, node: 0, zone: "low" });
    expect(frame!.pfn % 4).toBe(0);
    expect(pa.heldBy(SLAB_OWNER)[0]).toEqual({ low: 4, high: 0 });
    expect(km.size(obj)).toBe(16384);
    const second = unwrap(km.alloc(16384, 0));
    expect(pfnOf(second)).not.toBe(pfnOf(obj));
    km.free(obj);
    km.free(second);
    expect(pa.allocatedPages).toBe(0);
  });
});

describe("kfree of a bad address", () => {
  it("throws MachineError for an interior address", () => {
    const { km } = setup();
    const a = unwrap(km.alloc(64, 0));
    expect(() => km.free(a + 8)).toThrow(MachineError);
    expect(km.size(a + 8)).toBeUndefined();
    expect(km.size(a)).toBe(64);
  });

  it("throws MachineError for an interior address of a multi-page object", () => {
    const { km } = setup();
    const a = unwrap(km.alloc(16384, 0));
    expect(() => km.free(a + P)).toThrow(MachineError);
    km.free(a);
  });

  it("throws MachineError for an unknown address and a free object", () => {
    const { km } = setup();
    expect(() => km.free(0)).toThrow(MachineError);
    expect(() => km.free(PAGE_OFFSET)).toThrow(MachineError);
    const a = unwrap(km.alloc(64, 0));
    const b = unwrap(km.alloc(64, 0));
    expect(() => km.free(b + 64)).toThrow(/not a live object/);
    km.free(a);
    expect(() => km.free(a)).toThrow(MachineError);
    expect(km.size(b)).toBe(64);
  });
});

describe("page allocation failure", () => {
  it("propagates ENOMEM and takes nothing", () => {
    const { pa, km } = setup();
    pa.failAfter(0, 1);
    const r = km.alloc(64, 0);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe("ENOMEM");
    expect(km.bytesInUse).toBe(0);
    expect(pa.allocatedPages).toBe(0);
    // The failure was transient: the cache still works afterwards.
    const a = unwrap(km.alloc(64, 0));
    expect(km.size(a)).toBe(64);
  });

  it("needs no page while the slab has room: failAfter does not hit it", () => {
    const { pa, km } = setup();
    unwrap(km.alloc(64, 0));
    pa.failAfter(0, 1);
    expect(km.alloc(64, 0).ok).toBe(true);
    expect(pa.injectionPending).toBe(true);
    expect(km.alloc(8192, 0).ok).toBe(false);
  });

  it("propagates ENOMEM when a node's low memory is exhausted", () => {
    const { km } = setup(4, 64);
    unwrap(km.alloc(16384, 1));
    const r = km.alloc(32, 1);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toBe("ENOMEM");
    expect(km.alloc(32, 0).ok).toBe(true);
  });
});
