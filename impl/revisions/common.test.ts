/**
 * Behaviour every revision must share (docs/protocol.md, DESIGN.md "Invariants"), run on each entry
 * of REVISIONS. Design-specific layout, costs and white-box rules are in the revision's own test.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { BootConfig, PercpuAllocator, Ptr } from "../allocator.ts";
import { PAGE_SIZE, VMALLOC_START } from "../machine/index.ts";
import { unwrap } from "../result.ts";
import { REVISIONS, type RevisionEntry } from "./index.ts";
import type { SimulatedAllocator } from "./simulatedAllocator.ts";
import {
  allocWritten,
  booted,
  bootConfig,
  copies,
  expectErr,
  expectEveryCopyWritten,
  expectEveryCopyZero,
  hex,
  machineOf,
  pagesHeld,
  pattern,
  possibleCpus,
  powersOfTwo,
  rng,
  snapshot,
  writeEveryCopy,
  type Obj,
} from "./testing.ts";

function create(rev: RevisionEntry): SimulatedAllocator {
  return rev.create() as SimulatedAllocator;
}

/** Every page frame behind every possible CPU's copy of `p`, sorted. */
function framesOf(a: PercpuAllocator, p: Ptr, size: number): number[] {
  const m = machineOf(a);
  const out: number[] = [];
  for (const addr of copies(a, p).values()) {
    for (let off = 0; off < size; off += PAGE_SIZE) {
      const t = m.translate(addr + off);
      expect(t).toBeDefined();
      out.push(t?.pfn ?? -1);
    }
  }
  return out.sort((x, y) => x - y);
}

/**
 * The shared cases assume a design that holds nothing at boot, gives everything back and
 * undoes a failed allocation whole: the designs without a retained pool. The chunk designs
 * keep one (their REVISIONS entry's `pool`): bitmap-2017 a spare free chunk with its populated
 * pages (and atomic requests served only from populated pages), areamap-2009 its first chunk
 * from boot, area maps that never shrink, a spare free chunk and a chunk made for a failed
 * request. Their shared behaviours that do hold, and their pools, are in
 * bitmap/bitmapAllocator.test.ts, areamap/areamapAllocator.test.ts and retainedPool.test.ts.
 */
const SHARED = REVISIONS.filter((r) => r.pool === undefined);

describe.each(SHARED)("$id", (rev) => {
  let a: SimulatedAllocator;
  beforeEach(() => {
    a = create(rev);
  });

  describe("before boot", () => {
    it("answers hello with its name and revision", () => {
      const info = a.hello();
      expect(info.name).toBe(rev.id);
      expect(info.revision).toBe(rev.id);
      expect(info.capabilities).toContain("fail_page_alloc");
      expect(a.machineForInspection).toBeUndefined();
    });

    it("refuses every other operation with EINVAL", () => {
      const answers = [
        a.alloc(8, 8),
        a.alloc(8, 8, { atomic: true }),
        a.free(0x1000),
        a.ptr(0x1000, 0),
        a.node(VMALLOC_START),
        a.read(VMALLOC_START, 4),
        a.write(VMALLOC_START, new Uint8Array(4)),
        a.cpuAdd(1),
        a.cpuRemove(1),
        a.cpuUp(1),
        a.cpuDown(0),
        a.failPageAlloc(0, 1),
        a.reclaim(),
        a.stats(),
        a.inspect(),
      ];
      for (const r of answers) expectErr(r, "EINVAL", "boot");
      expect(a.machineForInspection).toBeUndefined();
    });
  });

  describe("boot", () => {
    it("starts with nothing held", () => {
      booted(a);
      const s = unwrap(a.stats());
      expect(s.pagesByNode).toEqual([0, 0]);
      expect(s.vmBytes).toBe(0);
      expect(s.unitBytes).toBe(0);
      expect(s.metaBytes).toBe(0);
    });

    it("a second boot forgets every object: the old pointer is EINVAL and nothing is held", () => {
      booted(a);
      const first = machineOf(a);
      const o = allocWritten(a, 64, 8, 1);
      unwrap(a.ptr(o.p, 1));
      expect(pagesHeld(a)).toBeGreaterThan(0);

      booted(a, { nrCpus: 2, cpuToNode: [0, 1], possible: [0, 1], present: [0, 1], online: [0] });
      expect(machineOf(a)).not.toBe(first);
      expect(machineOf(a).loads).toBe(0);
      expectErr(a.ptr(o.p, 0), "EINVAL");
      expectErr(a.free(o.p), "EINVAL");
      const s = unwrap(a.stats());
      expect(s.pagesByNode).toEqual([0, 0]);
      expect(s.vmBytes).toBe(0);
      expect(s.unitBytes).toBe(0);
      expect(machineOf(a).vmalloc.areaCount).toBe(0);
      expect(machineOf(a).cpus.nrCpus).toBe(2);
    });

    it("a refused boot leaves the running system as it was", () => {
      booted(a);
      const o = allocWritten(a, 24, 8, 3);
      const before = snapshot(a, [o]);
      const machine = machineOf(a);
      expectErr(a.boot(bootConfig({ online: [] })), "EINVAL");
      expectErr(a.boot(bootConfig({ pageSize: 8192 })), "EINVAL");
      expectErr(a.boot({ ...bootConfig(), possible: [0, 9] } as BootConfig), "EINVAL");
      expect(machineOf(a)).toBe(machine);
      expect(snapshot(a, [o])).toEqual(before);
    });
  });

  describe("zero on allocation", () => {
    it("a new object reads zero on every possible CPU, online or not, present or not", () => {
      booted(a, {
        nrCpus: 8,
        nrNodes: 2,
        cpuToNode: [0, 0, 0, 0, 1, 1, 1, 1],
        possible: [0, 1, 3, 4, 6],
        present: [0, 1, 4],
        online: [0],
      });
      for (const size of [1, 4, 24, 100, 4096, 8192]) {
        const p = unwrap(a.alloc(size, 4));
        expect([...copies(a, p).keys()]).toEqual([0, 1, 3, 4, 6]);
        expectEveryCopyZero(a, p, size);
      }
    });

    /*
     * Reuse of freed space (the keeper pins the slab or the block), each possible CPU's copy:
     *
     *   alloc keeper, old   | keeper | old: written non-zero        | ...
     *   free old            | keeper | free, still holding the bytes | ...
     *   alloc the same size | keeper | new                           | ...
     *
     * Expect the new object's copies at exactly the old copies' addresses, reading zero.
     */
    it.each([4, 8, 24, 100, 512, 4096])(
      "a %i-byte object that reuses written, freed space reads zero on every possible CPU",
      (size) => {
        booted(a);
        // The keeper holds the slab (legacy) or block (kiran) so that the freed place stays
        // with the allocator and the next object of the same size lands exactly there. In a
        // kiran block a keeper of the same size fills a 4 KiB object's slice, and patch 2/11's
        // firstnotfull pointer then passes the block by (a full block that gets room stays
        // behind the pointer): a 4-byte keeper leaves it partial.
        const keeper = allocWritten(a, rev.design === "kiran-2005" ? 4 : size, 4, 100);
        const old = allocWritten(a, size, 4, 200);
        const oldCopies = [...copies(a, old.p).values()].sort((x, y) => x - y);
        expectEveryCopyWritten(a, old.p, size, 200);
        unwrap(a.free(old.p));

        const again = unwrap(a.alloc(size, 4));
        const newCopies = [...copies(a, again).values()].sort((x, y) => x - y);
        expect(newCopies).toEqual(oldCopies);
        expectEveryCopyZero(a, again, size);
        expectEveryCopyWritten(a, keeper.p, rev.design === "kiran-2005" ? 4 : size, 100);
      },
    );

    /*
     * 8192 bytes: a whole kiran slice, a whole order-1 kmalloc object, so every page is written:
     *
     *   alloc, write      page frames f1 f2 ... fn  hold non-zero bytes
     *   free              every page back to the page allocator (nothing held)
     *   alloc again       the page allocator hands f1 ... fn out first, not cleared
     *
     * Expect the new object on the same frames and reading zero on every possible CPU.
     */
    it("an object on written pages given back and handed out again reads zero everywhere", () => {
      booted(a);
      const size = 8192;
      const old = allocWritten(a, size, 8, 7);
      const frames = framesOf(a, old.p, size);
      unwrap(a.free(old.p));
      expect(pagesHeld(a)).toBe(0);

      const again = unwrap(a.alloc(size, 8));
      // The page allocator hands freed pages out first: the same frames, still dirty.
      expect(framesOf(a, again, size)).toEqual(frames);
      expectEveryCopyZero(a, again, size);
    });
  });

  describe("node placement", () => {
    it.each([1, 64, 100, 4096, 8192])(
      "every page of every possible CPU's copy of a %i-byte object is on cpu_to_node(cpu)",
      (size) => {
        const cpuToNode = [0, 0, 1, 1, 2, 2, 3, 3];
        booted(a, {
          nrCpus: 8,
          nrNodes: 4,
          cpuToNode,
          possible: [0, 2, 3, 5, 6],
          present: [0, 2, 3],
          online: [2],
        });
        unwrap(a.alloc(8, 8));
        const p = unwrap(a.alloc(size, 1));
        for (const [cpu, addr] of copies(a, p)) {
          for (const off of [0, ...powersOfTwo(PAGE_SIZE, size - 1), size - 1]) {
            expect(unwrap(a.node(addr + off)), `cpu ${cpu} offset ${off}`).toBe(cpuToNode[cpu]);
          }
        }
      },
    );
  });

  describe("alignment", () => {
    it.each([1, 8, 24, 100, 2048, 4096])(
      "a %i-byte object is aligned on every possible CPU for each alignment the design honours",
      (size) => {
        booted(a, { possible: [0, 1, 3], present: [0, 1], online: [0] });
        for (const align of powersOfTwo(1, rev.maxAlign(size))) {
          unwrap(a.alloc(4, 4)); // knock the next free place off any alignment
          const p = unwrap(a.alloc(size, align));
          for (const [cpu, addr] of copies(a, p)) {
            expect(addr % align, `align ${align} cpu ${cpu}`).toBe(0);
          }
          expectEveryCopyZero(a, p, size);
        }
      },
    );
  });

  describe("bad input gets EINVAL and changes nothing", () => {
    let objs: Obj[];
    let before: ReturnType<typeof snapshot>;
    beforeEach(() => {
      booted(a, { nrCpus: 4, possible: [0, 1, 3], present: [0, 1], online: [0] });
      objs = [allocWritten(a, 8, 8, 1), allocWritten(a, 100, 4, 2), allocWritten(a, 4, 4, 3)];
      before = snapshot(a, objs);
    });

    function unchanged(): void {
      expect(snapshot(a, objs)).toEqual(before);
    }

    it.each([0, -1, 1.5, Number.NaN, Infinity, -Infinity])("size %s", (size) => {
      expectErr(a.alloc(size, 8), "EINVAL", "size");
      expectErr(a.alloc(size, 8, { atomic: true }), "EINVAL", "size");
      unchanged();
    });

    it("a size above the design's maximum", () => {
      expect(a.maxSize).toBe(rev.maxSize);
      expectErr(a.alloc(rev.maxSize + 1, 8), "EINVAL", "size");
      expectErr(a.alloc(2 ** 53, 8), "EINVAL", "size");
      unchanged();
    });

    it.each([3, 6, 8192, 1 << 20, 1.5, -8, Number.NaN, Infinity])("alignment %s", (align) => {
      expectErr(a.alloc(8, align), "EINVAL", "align");
      unchanged();
    });

    it("alignment 0: EINVAL where the design does not take it as its minimum", () => {
      if (rev.zeroAlignValid) {
        const p = unwrap(a.alloc(8, 0));
        expectEveryCopyZero(a, p, 8);
        unwrap(a.free(p));
      } else {
        expectErr(a.alloc(8, 0), "EINVAL", "align");
      }
      unchanged();
    });

    it("an alignment above what the design honours for the size", () => {
      for (const size of [1, 24, 100, 4096]) {
        expectErr(a.alloc(size, rev.maxAlign(size) * 2), "EINVAL", "align");
      }
      unchanged();
    });

    it("unknown pointers", () => {
      const farInVmalloc = VMALLOC_START + 0x100_0000;
      for (const bad of [0, 1, 0x1000, farInVmalloc, 2 ** 48, 2 ** 53, -1, 1.5, Number.NaN]) {
        expectErr(a.free(bad), "EINVAL");
        expectErr(a.ptr(bad, 0), "EINVAL");
      }
      unchanged();
    });

    it("interior pointers", () => {
      for (const o of objs) {
        for (const delta of [4, -4, 1]) {
          expectErr(a.free(o.p + delta), "EINVAL");
          expectErr(a.ptr(o.p + delta, 0), "EINVAL");
        }
      }
      unchanged();
    });

    it("a CPU's copy address is not a percpu pointer", () => {
      const o = objs[1] as Obj;
      const addr1 = unwrap(a.ptr(o.p, 1));
      expect(addr1).not.toBe(o.p);
      expectErr(a.free(addr1), "EINVAL");
      unchanged();
    });

    it("a double free, and the pointer of a freed object", () => {
      const o = allocWritten(a, 32, 8, 9);
      const after = snapshot(a, objs);
      unwrap(a.free(o.p));
      const freed = snapshot(a, objs);
      expectErr(a.free(o.p), "EINVAL");
      expectErr(a.ptr(o.p, 0), "EINVAL");
      expectErr(a.ptr(o.p, 1), "EINVAL");
      expect(snapshot(a, objs)).toEqual(freed);
      expect(after).not.toEqual(freed);
    });

    it.each([-1, 4, 512, 1.5, Number.NaN])("ptr with cpu %s out of range", (cpu) => {
      for (const o of objs) expectErr(a.ptr(o.p, cpu), "EINVAL", "out of range");
      unchanged();
    });

    it("ptr with a CPU that is not possible", () => {
      for (const o of objs) expectErr(a.ptr(o.p, 2), "EINVAL", "not possible");
      unchanged();
    });

    it("bad addresses and lengths for node, read and write", () => {
      for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
        expectErr(a.node(bad), "EINVAL");
        expectErr(a.read(bad, 4), "EINVAL");
        expectErr(a.write(bad, new Uint8Array(4)), "EINVAL");
      }
      const addr = unwrap(a.ptr((objs[0] as Obj).p, 0));
      expectErr(a.read(addr, -1), "EINVAL");
      expectErr(a.read(addr, 1.5), "EINVAL");
      expectErr(a.read(addr, (1 << 20) + 1), "EINVAL");
      expectErr(a.write(addr, [1, 2] as unknown as Uint8Array), "EINVAL");
      unchanged();
    });

    it("bad fault-injection arguments", () => {
      expectErr(a.failPageAlloc(-1, 1), "EINVAL");
      expectErr(a.failPageAlloc(0, 1.5), "EINVAL");
      expectErr(a.failPageAlloc(Number.NaN, 1), "EINVAL");
      expect(machineOf(a).pages.injectionPending).toBe(false);
      unchanged();
      // Nothing was armed: a fresh slab or block is made without ENOMEM.
      unwrap(a.alloc(8192, 8));
    });

    it.each([
      ["cpu_up", "a CPU that is not present", (x: PercpuAllocator) => x.cpuUp(3)],
      ["cpu_up", "a CPU already online", (x: PercpuAllocator) => x.cpuUp(0)],
      ["cpu_up", "a CPU that is not possible", (x: PercpuAllocator) => x.cpuUp(2)],
      ["cpu_up", "a CPU out of range", (x: PercpuAllocator) => x.cpuUp(4)],
      ["cpu_up", "a negative CPU", (x: PercpuAllocator) => x.cpuUp(-1)],
      ["cpu_down", "the last online CPU", (x: PercpuAllocator) => x.cpuDown(0)],
      ["cpu_down", "a CPU that is offline", (x: PercpuAllocator) => x.cpuDown(1)],
      ["cpu_down", "a CPU that is not possible", (x: PercpuAllocator) => x.cpuDown(2)],
      ["cpu_add", "a CPU already present", (x: PercpuAllocator) => x.cpuAdd(1)],
      ["cpu_add", "a CPU that is not possible", (x: PercpuAllocator) => x.cpuAdd(2)],
      ["cpu_add", "a non-integer CPU", (x: PercpuAllocator) => x.cpuAdd(3.5)],
      ["cpu_remove", "an online CPU", (x: PercpuAllocator) => x.cpuRemove(0)],
      ["cpu_remove", "a CPU that is not present", (x: PercpuAllocator) => x.cpuRemove(3)],
      ["cpu_remove", "a CPU that is not possible", (x: PercpuAllocator) => x.cpuRemove(2)],
    ] as const)("%s of %s", (_op, _what, event) => {
      const allocations = machineOf(a).pages.allocations;
      expectErr(event(a), "EINVAL");
      expect(machineOf(a).pages.allocations).toBe(allocations);
      unchanged();
    });
  });

  describe("CPU hotplug never moves or changes a copy and onlining allocates nothing", () => {
    it("a sequence of allowed events", () => {
      booted(a, {
        nrCpus: 8,
        nrNodes: 2,
        cpuToNode: [0, 0, 0, 0, 1, 1, 1, 1],
        possible: [0, 1, 2, 4, 5],
        present: [0, 1, 4],
        online: [0],
      });
      const objs = [
        allocWritten(a, 4, 4, 1),
        allocWritten(a, 100, 8, 2),
        allocWritten(a, 4096, 4096, 3),
      ];
      const base = { ...snapshot(a, objs), present: [], online: [] };
      const events: [string, () => ReturnType<PercpuAllocator["cpuUp"]>, number[], number[]][] = [
        ["cpu_up 1", () => a.cpuUp(1), [0, 1, 4], [0, 1]],
        ["cpu_up 4", () => a.cpuUp(4), [0, 1, 4], [0, 1, 4]],
        ["cpu_add 2", () => a.cpuAdd(2), [0, 1, 2, 4], [0, 1, 4]],
        ["cpu_up 2", () => a.cpuUp(2), [0, 1, 2, 4], [0, 1, 2, 4]],
        ["cpu_down 0", () => a.cpuDown(0), [0, 1, 2, 4], [1, 2, 4]],
        ["cpu_remove 0", () => a.cpuRemove(0), [1, 2, 4], [1, 2, 4]],
        ["cpu_add 5", () => a.cpuAdd(5), [1, 2, 4, 5], [1, 2, 4]],
        ["cpu_up 5", () => a.cpuUp(5), [1, 2, 4, 5], [1, 2, 4, 5]],
        ["cpu_down 1", () => a.cpuDown(1), [1, 2, 4, 5], [2, 4, 5]],
        ["cpu_down 2", () => a.cpuDown(2), [1, 2, 4, 5], [4, 5]],
        ["cpu_down 4", () => a.cpuDown(4), [1, 2, 4, 5], [5]],
        ["cpu_add 0", () => a.cpuAdd(0), [0, 1, 2, 4, 5], [5]],
        ["cpu_up 0", () => a.cpuUp(0), [0, 1, 2, 4, 5], [0, 5]],
      ];
      for (const [what, event, present, online] of events) {
        const allocations = machineOf(a).pages.allocations;
        unwrap(event());
        expect(machineOf(a).pages.allocations, what).toBe(allocations);
        expect(machineOf(a).cpus.present, what).toEqual(present);
        expect(machineOf(a).cpus.online, what).toEqual(online);
        expect({ ...snapshot(a, objs), present: [], online: [] }, what).toEqual(base);
      }
      unwrap(a.cpuDown(5));
      expectErr(a.cpuDown(0), "EINVAL", "last online");
      expect(machineOf(a).cpus.online).toEqual([0]);
      expect({ ...snapshot(a, objs), present: [], online: [] }).toEqual(base);
    });

    it("an object made while CPUs are offline or absent has every possible CPU's copy", () => {
      booted(a, { possible: [0, 1, 2, 3], present: [0, 1], online: [0] });
      const before = unwrap(a.alloc(64, 8));
      unwrap(a.cpuAdd(3));
      unwrap(a.cpuUp(3));
      unwrap(a.cpuDown(0));
      const after = unwrap(a.alloc(64, 8));
      for (const p of [before, after]) {
        expect([...copies(a, p).keys()]).toEqual([0, 1, 2, 3]);
        expectEveryCopyZero(a, p, 64);
      }
    });
  });

  describe("out of memory", () => {
    it("an injected ENOMEM at each page allocation of an allocation leaves everything as it was", () => {
      const setUp = (): Obj[] => {
        booted(a);
        return [allocWritten(a, 8, 8, 1), allocWritten(a, 100, 4, 2)];
      };
      // The largest object always needs fresh memory: a new block, or fresh slab pages.
      const size = rev.maxSize;
      setUp();
      const m0 = machineOf(a);
      const allocations = m0.pages.allocations;
      unwrap(a.alloc(size, 8));
      const n = m0.pages.allocations - allocations;
      expect(n).toBeGreaterThanOrEqual(possibleCpus(a).length);

      for (let k = 0; k < n; k++) {
        const objs = setUp();
        const before = snapshot(a, objs);
        const m = machineOf(a);
        const failures = m.pages.failures;
        unwrap(a.failPageAlloc(k, 1));
        expectErr(a.alloc(size, 8), "ENOMEM");
        expect(m.pages.failures, `k=${k}`).toBe(failures + 1);
        expect(m.pages.injectionPending, `k=${k}`).toBe(false);
        expect(snapshot(a, objs), `k=${k}`).toEqual(before);
        const p = unwrap(a.alloc(size, 8));
        expectEveryCopyZero(a, p, size);
        for (const [i, o] of objs.entries()) expectEveryCopyWritten(a, o.p, o.size, i + 1);
      }

      // An injection after the last page allocation is not reached.
      setUp();
      unwrap(a.failPageAlloc(n, 1));
      unwrap(a.alloc(size, 8));
      expect(machineOf(a).pages.injectionPending).toBe(true);
    });

    it("real exhaustion of memory is ENOMEM that changes nothing; freeing gives all back", () => {
      booted(a, { pagesPerNode: 64 });
      const objs: Obj[] = [];
      for (;;) {
        const before = snapshot(a, objs);
        const r = a.alloc(4096, 8);
        if (!r.ok) {
          expectErr(r, "ENOMEM");
          expect(snapshot(a, objs)).toEqual(before);
          break;
        }
        writeEveryCopy(a, r.value, 4096, objs.length);
        objs.push({ p: r.value, size: 4096 });
      }
      expect(objs.length).toBeGreaterThanOrEqual(2);
      for (const o of objs) unwrap(a.free(o.p));
      expect(pagesHeld(a)).toBe(0);
      expect(machineOf(a).vmalloc.reservedBytes).toBe(0);
      expect(machineOf(a).vmalloc.areaCount).toBe(0);
    });
  });

  describe("atomic allocation", () => {
    it("behaves as a normal allocation: same pointers, same memory, zeroed", () => {
      const twin = create(rev);
      booted(a);
      booted(twin);
      for (const size of [4, 100, 4096, 8192, 4, 24]) {
        const p = unwrap(a.alloc(size, 4, { atomic: true }));
        const q = unwrap(twin.alloc(size, 4));
        expect(p).toBe(q);
        expectEveryCopyZero(a, p, size);
        expect(unwrap(a.stats())).toEqual(unwrap(twin.stats()));
      }
    });

    it("fails under an injected page failure like a normal allocation", () => {
      booted(a);
      const before = snapshot(a);
      unwrap(a.failPageAlloc(0, 1));
      expectErr(a.alloc(64, 8, { atomic: true }), "ENOMEM");
      expect(snapshot(a)).toEqual(before);
    });
  });

  describe("reclaim", () => {
    it("has nothing deferred: it changes nothing", () => {
      booted(a);
      const objs = [allocWritten(a, 4, 4, 1), allocWritten(a, 64, 8, 2)];
      const freed = unwrap(a.alloc(32, 8));
      unwrap(a.free(freed));
      const before = snapshot(a, objs);
      unwrap(a.reclaim());
      expect(snapshot(a, objs)).toEqual(before);
    });
  });

  describe("isolation, integrity, no overlap and no leak under churn", () => {
    it.each([1, 2, 3])("seed %i", (seed) => {
      booted(a, {
        nrCpus: 8,
        nrNodes: 2,
        cpuToNode: [0, 0, 0, 0, 1, 1, 1, 1],
        possible: [0, 1, 2, 5, 7],
        present: [0, 1, 5],
        online: [0, 5],
      });
      const random = rng(seed);
      const pick = (n: number): number => Math.floor(random() * n);
      /** The shadow: per live object, the expected contents of every possible CPU's copy. */
      const shadow = new Map<Ptr, { size: number; bytes: Map<number, Uint8Array> }>();
      let writes = 0;
      for (let step = 0; step < 250; step++) {
        const live = [...shadow.keys()];
        const roll = random();
        if (live.length === 0 || roll < 0.45) {
          const size = 1 + pick(random() < 0.2 ? 2048 : 64);
          const aligns = powersOfTwo(1, rev.maxAlign(size));
          const align = aligns[pick(aligns.length)] as number;
          const p = unwrap(a.alloc(size, align));
          expect(shadow.has(p)).toBe(false);
          const bytes = new Map<number, Uint8Array>();
          for (const cpu of possibleCpus(a)) bytes.set(cpu, new Uint8Array(size));
          shadow.set(p, { size, bytes });
        } else if (roll < 0.75) {
          const p = live[pick(live.length)] as Ptr;
          const o = shadow.get(p)!;
          const cpus = possibleCpus(a);
          const cpu = cpus[pick(cpus.length)] as number;
          const data = pattern(++writes, o.size);
          unwrap(a.write(unwrap(a.ptr(p, cpu)), data));
          o.bytes.set(cpu, data);
        } else {
          const p = live[pick(live.length)] as Ptr;
          unwrap(a.free(p));
          shadow.delete(p);
        }
        // Every copy holds exactly what was written to it; no two copies overlap.
        const wrong: string[] = [];
        const ranges: [number, number][] = [];
        for (const [p, o] of shadow) {
          for (const [cpu, addr] of copies(a, p)) {
            const got = unwrap(a.read(addr, o.size));
            const want = o.bytes.get(cpu)!;
            if (Buffer.compare(got, want) !== 0) {
              wrong.push(`0x${p.toString(16)} cpu ${cpu}: ${hex(got)} != ${hex(want)}`);
            }
            ranges.push([addr, addr + o.size]);
          }
        }
        ranges.sort((x, y) => x[0] - y[0]);
        for (let i = 1; i < ranges.length; i++) {
          const [prev, cur] = [ranges[i - 1]!, ranges[i]!];
          if (cur[0] < prev[1]) wrong.push(`overlap at 0x${cur[0].toString(16)}`);
        }
        expect(wrong, `step ${step}`).toEqual([]);
      }
      for (const p of shadow.keys()) unwrap(a.free(p));
      const s = unwrap(a.stats());
      expect(s.pagesByNode).toEqual([0, 0]);
      expect(s.vmBytes).toBe(0);
      expect(s.unitBytes).toBe(0);
      expect(s.metaBytes).toBe(0);
      expect(machineOf(a).vmalloc.areaCount).toBe(0);
      expect(machineOf(a).vmalloc.mappedPages).toBe(0);
      expect(machineOf(a).kmalloc.bytesInUse).toBe(0);
      expect(machineOf(a).pages.allocatedPages).toBe(0);
    });
  });

  describe("robustness", () => {
    /**
     * Random operations with random (often bad) arguments on random small machines, injected
     * page failures and hotplug: every answer is a Result (no exception: a MachineError would be
     * a BUG() in the kernel), every failed alloc leaves the pages as they were, and freeing what
     * is live gives everything back.
     */
    it.each([1, 2, 3, 4, 5, 6, 7, 8])("never throws and never leaks (seed %i)", (seed) => {
      const random = rng(1000 + seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
      const nrCpus = pick([1, 3, 4, 8]);
      const nrNodes = pick([1, 2, 3]);
      const cpus = Array.from({ length: nrCpus }, (_, i) => i);
      const possible = cpus.filter((c) => c === 0 || random() < 0.6);
      const present = possible.filter((c) => c === 0 || random() < 0.6);
      const online = present.filter((c) => c === 0 || random() < 0.6);
      booted(a, {
        nrCpus,
        nrNodes,
        cpuToNode: cpus.map(() => Math.floor(random() * nrNodes)),
        possible,
        present,
        online,
        pagesPerNode: pick([64, 256, 4096]),
        vmallocBytes: pick([32, 64, 1024]) * PAGE_SIZE,
      });
      const m = machineOf(a);
      const live: Ptr[] = [];
      for (let step = 0; step < 300; step++) {
        const cpu = Math.floor(random() * (nrCpus + 1)) - (random() < 0.05 ? 1 : 0);
        const op = Math.floor(random() * 9);
        if (op <= 3) {
          const held = snapshot(a);
          const size = pick([0, 1, 4, 7, 100, 1000, 4096, 8192, 8193, 65536]);
          const r = a.alloc(size, pick([0, 1, 4, 8, 64, 4096, 3]), { atomic: random() < 0.2 });
          if (r.ok) live.push(r.value);
          else expect(snapshot(a), `step ${step}: ${r.message}`).toEqual(held);
        } else if (op === 4 && live.length > 0) {
          const i = Math.floor(random() * live.length);
          unwrap(a.free(live[i] as Ptr));
          live.splice(i, 1);
        } else if (op === 5) {
          const event = pick([a.cpuUp, a.cpuDown, a.cpuAdd, a.cpuRemove]);
          event.call(a, cpu);
        } else if (op === 6) {
          unwrap(a.failPageAlloc(Math.floor(random() * 30), 1 + Math.floor(random() * 3)));
        } else if (op === 7 && live.length > 0) {
          const r = a.ptr(pick(live), cpu);
          if (r.ok) {
            unwrap(a.write(r.value, new Uint8Array([1, 2, 3])));
            expect(unwrap(a.read(r.value, 3))).toEqual(new Uint8Array([1, 2, 3]));
            expect(unwrap(a.node(r.value))).toBe(m.cpus.cpuToNode(cpu));
          } else {
            expect(r.error).toBe("EINVAL");
          }
        } else {
          unwrap(a.stats());
          unwrap(a.reclaim());
        }
      }
      for (const p of live) unwrap(a.free(p));
      expect(pagesHeld(a)).toBe(0);
      expect(m.vmalloc.areaCount).toBe(0);
      expect(m.kmalloc.bytesInUse).toBe(0);
    });
  });
});
