/**
 * legacy-2.6.10: the rules of its module header and of SOURCES.md ("The 2.6.10 allocator"),
 * checked through the protocol and the white-box machine.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Ptr } from "../../allocator.ts";
import {
  ADDRESS_MASK,
  KMALLOC_MAX_SIZE,
  MachineError,
  POINTER_SIZE,
  SLAB_OWNER,
} from "../../machine/index.ts";
import { err, ok, unwrap, type Result } from "../../result.ts";
import {
  allocWritten,
  booted,
  copies,
  expectErr,
  expectEveryCopyWritten,
  expectEveryCopyZero,
  machineOf,
  pagesHeld,
  possibleCpus,
  powersOfTwo,
  snapshot,
  type Obj,
} from "../testing.ts";
import { LegacyAllocator, legacyMaxAlign } from "./legacyAllocator.ts";

let a: LegacyAllocator;
beforeEach(() => {
  a = new LegacyAllocator();
});

/** The struct percpu_data behind a pointer: p = ~pdata. */
function pdataOf(p: Ptr): number {
  return ADDRESS_MASK - p;
}

/** The pointer-sized word at `addr`, read through the protocol (no load counted). */
function word(addr: number): number {
  const bytes = unwrap(a.read(addr, POINTER_SIZE));
  const view = new DataView(bytes.buffer);
  return view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
}

describe("layout", () => {
  /*
   * One 100-byte object, NR_CPUS 4, CPUs 0, 1 and 3 possible (2 is not), nodes 0 0 1 1,
   * the current CPU on node 0:
   *
   *   p = ~pdata  (not an address: reading it faults)
   *
   *   pdata: kmalloc-64 on node 0 (the current CPU's node)
   *   +---------+---------+---------+---------+------+
   *   | ptrs[0] | ptrs[1] | (junk)  | ptrs[3] | blkp |
   *   +----|----+----|----+---------+----|----+------+
   *        v         v                   v
   *   kmalloc-128 slab, node 0           kmalloc-128 slab, node 1
   *   | cpu0 copy | cpu1 copy | ...      | cpu3 copy | ...
   *
   * Expect ptrs[cpu] to be per_cpu_ptr(p, cpu) for every possible CPU, CPU 1's copy 128 bytes
   * after CPU 0's in the same slab, CPU 3's on node 1, the array on node 0 in a 64-byte object.
   */
  it("a pointer array from kmalloc, one kmalloc_node copy per possible CPU", () => {
    booted(a, { possible: [0, 1, 3], present: [0, 1, 3], online: [0] });
    const m = machineOf(a);
    const p = unwrap(a.alloc(100, 8));
    const pdata = pdataOf(p);
    expect(m.kmalloc.size(pdata)).toBe(64); // (NR_CPUS + 1) pointers = 40 bytes
    expect(unwrap(a.node(pdata))).toBe(0);
    const c = copies(a, p);
    expect([...c.keys()]).toEqual([0, 1, 3]);
    for (const [cpu, addr] of c) {
      expect(word(pdata + cpu * POINTER_SIZE), `ptrs[${cpu}]`).toBe(addr);
      expect(m.kmalloc.size(addr), `cpu ${cpu}'s copy`).toBe(128);
    }
    expect(c.get(1)).toBe((c.get(0) as number) + 128);
    expect(unwrap(a.node(c.get(0) as number))).toBe(0);
    expect(unwrap(a.node(c.get(3) as number))).toBe(1);
  });

  it("the returned pointer is a cookie: reading, writing or locating it directly faults", () => {
    booted(a);
    const p = unwrap(a.alloc(64, 8));
    expectErr(a.read(p, 1), "EFAULT");
    expectErr(a.write(p, new Uint8Array([1])), "EFAULT");
    expectErr(a.node(p), "EFAULT");
  });

  /*
   * The pointer array comes from kmalloc on the node the allocating CPU runs on:
   *
   *   node 0: CPUs 0, 1 (offline)        node 1: CPUs 2, 3; CPU 2 is the current CPU
   *   | cpu0 copy | cpu1 copy |          | pdata | cpu2 copy | cpu3 copy |
   *
   * Expect the array on node 1 although CPUs 0 and 1 use it, and with 4096-byte copies (a page
   * each) 2 slab pages on node 0 and 3 on node 1.
   */
  it("the pointer array is on the current node, not node local", () => {
    booted(a, { present: [0, 1, 2, 3], online: [2] });
    const p = unwrap(a.alloc(4096, 8));
    expect(unwrap(a.node(pdataOf(p)))).toBe(1);
    expect(unwrap(a.node(unwrap(a.ptr(p, 0))))).toBe(0);
    expect(unwrap(a.stats()).pagesByNode).toEqual([2, 3]);

    booted(a, { online: [0, 2] });
    const q = unwrap(a.alloc(4096, 8));
    expect(unwrap(a.node(pdataOf(q)))).toBe(0);
    expect(unwrap(a.stats()).pagesByNode).toEqual([3, 2]);
    unwrap(a.cpuDown(0)); // now the allocating CPU is CPU 2, on node 1
    const r = unwrap(a.alloc(4096, 8));
    expect(unwrap(a.node(pdataOf(r)))).toBe(1);
    expect(unwrap(a.node(unwrap(a.ptr(r, 0))))).toBe(0);
  });
});

describe("per_cpu_ptr", () => {
  it("costs exactly one memory load per call; stats say memRefsPerDeref 1", () => {
    booted(a, { possible: [0, 1, 3] });
    const m = machineOf(a);
    const objs = [unwrap(a.alloc(8, 8)), unwrap(a.alloc(4096, 64))];
    for (const p of objs) {
      for (const cpu of [0, 1, 3, 3, 0]) {
        const loads = m.loads;
        unwrap(a.ptr(p, cpu));
        expect(m.loads - loads).toBe(1);
      }
    }
    expect(unwrap(a.stats()).memRefsPerDeref).toBe(1);
  });

  it("refuses a freed pointer without reading the freed array", () => {
    booted(a);
    const m = machineOf(a);
    const keep = unwrap(a.alloc(16, 8));
    const p = unwrap(a.alloc(16, 8));
    unwrap(a.free(p));
    const before = snapshot(a, [{ p: keep, size: 16 }]);
    const loads = m.loads;
    expectErr(a.ptr(p, 0), "EINVAL", "not a live");
    expectErr(a.free(p), "EINVAL", "not a live");
    expect(m.loads).toBe(loads);
    expect(snapshot(a, [{ p: keep, size: 16 }])).toEqual(before);
  });
});

describe("sizes and alignment", () => {
  it("legacyMaxAlign is the kmalloc class, at most a page", () => {
    expect(legacyMaxAlign(1)).toBe(32);
    expect(legacyMaxAlign(32)).toBe(32);
    expect(legacyMaxAlign(33)).toBe(64);
    expect(legacyMaxAlign(2049)).toBe(4096);
    expect(legacyMaxAlign(8192)).toBe(4096);
    expect(legacyMaxAlign(KMALLOC_MAX_SIZE)).toBe(4096);
  });

  it.each([1, 32, 33, 100, 128, 1000, 2048, 2049, 4096, 8192, 65536, KMALLOC_MAX_SIZE])(
    "size %i: every power of two up to the kmalloc class is honoured, the next one is EINVAL",
    (size) => {
      booted(a);
      const max = legacyMaxAlign(size);
      for (const align of powersOfTwo(1, max)) {
        unwrap(a.alloc(8, 8));
        const p = unwrap(a.alloc(size, align));
        for (const [cpu, addr] of copies(a, p)) expect(addr % align, `cpu ${cpu}`).toBe(0);
        expectEveryCopyZero(a, p, size);
      }
      const before = snapshot(a);
      expectErr(a.alloc(size, max * 2), "EINVAL", "align");
      expectErr(a.alloc(size, 0), "EINVAL", "align");
      expect(snapshot(a)).toEqual(before);
    },
  );

  it("a bad size or alignment is refused for what it is, before the class is looked at", () => {
    booted(a);
    const before = snapshot(a);
    // Size 0 would fall in the 32-byte class, and 64 is above it: the size is what is wrong.
    expectErr(a.alloc(0, 64), "EINVAL", "size 0 out of range");
    // 8192 is above the 32-byte class too, but above PAGE_SIZE first: an invalid alignment.
    expectErr(a.alloc(8, 8192), "EINVAL", "align 8192 invalid");
    expectErr(a.alloc(8, 64), "EINVAL", "align 64 above the 32-byte kmalloc class");
    expect(snapshot(a)).toEqual(before);
  });

  it("serves sizes up to KMALLOC_MAX_SIZE and refuses more", () => {
    booted(a);
    expect(a.maxSize).toBe(KMALLOC_MAX_SIZE);
    const p = unwrap(a.alloc(KMALLOC_MAX_SIZE, 4096));
    expectEveryCopyZero(a, p, KMALLOC_MAX_SIZE);
    const before = snapshot(a);
    expectErr(a.alloc(KMALLOC_MAX_SIZE + 1, 8), "EINVAL", "size");
    expect(snapshot(a)).toEqual(before);
  });
});

describe("memory", () => {
  /*
   * 4096-byte objects (one slab page per copy), NR_CPUS 4, nodes 0 0 1 1:
   *
   *   all possible:   node 0: | pdata | cpu0 | cpu1 |    node 1: | cpu2 | cpu3 |
   *   possible 0, 2:  node 0: | pdata | cpu0 |           node 1: | cpu2 |
   *
   * Expect kmalloc copies only for possible CPUs: 3 + 2 pages against 2 + 1.
   */
  it("kmalloc copies only for possible CPUs", () => {
    booted(a);
    unwrap(a.alloc(4096, 8));
    expect(machineOf(a).pages.heldBy(SLAB_OWNER)).toEqual([
      { low: 3, high: 0 },
      { low: 2, high: 0 },
    ]);
    expect(machineOf(a).kmalloc.bytesInUse).toBe(4 * 4096 + 64);

    booted(a, { possible: [0, 2], present: [0, 2], online: [0] });
    const p = unwrap(a.alloc(4096, 8));
    expect(machineOf(a).pages.heldBy(SLAB_OWNER)).toEqual([
      { low: 2, high: 0 },
      { low: 1, high: 0 },
    ]);
    expect(machineOf(a).kmalloc.bytesInUse).toBe(2 * 4096 + 64);
    expect([...copies(a, p).keys()]).toEqual([0, 2]);
  });

  it("the pointer array grows with NR_CPUS while the copies do not", () => {
    const at = (nrCpus: number) => {
      booted(a, {
        nrCpus,
        cpuToNode: Array.from({ length: nrCpus }, (_, c) => (c < 2 ? 0 : 1)),
      });
      unwrap(a.alloc(100, 8));
      return unwrap(a.stats());
    };
    const small = at(4);
    const large = at(512);
    expect(small.unitBytes).toBe(128);
    expect(large.unitBytes).toBe(128);
    expect(small.metaBytes).toBe(64); // 5 pointers
    expect(large.metaBytes).toBe(8192); // 513 pointers: 4104 bytes, the 8192-byte class
    expect(small.vmBytes).toBe(0);
    expect(large.vmBytes).toBe(0);
    expect(small.pagesByNode).toEqual([2, 1]); // node 0: the array's page and the copies'
    expect(large.pagesByNode).toEqual([3, 1]); // the array is now an order-1 run
  });

  it("free gives every page back", () => {
    booted(a, { possible: [0, 1, 3] });
    const objs = [1, 100, 4096, 8192, 100, 65536].map((size) => unwrap(a.alloc(size, 8)));
    expect(pagesHeld(a)).toBeGreaterThan(0);
    for (const p of objs.reverse()) unwrap(a.free(p));
    expect(pagesHeld(a)).toBe(0);
    expect(machineOf(a).kmalloc.bytesInUse).toBe(0);
    expect(unwrap(a.stats())).toMatchObject({ unitBytes: 0, metaBytes: 0, vmBytes: 0 });
  });

  it("uses no vmalloc space", () => {
    booted(a);
    unwrap(a.alloc(KMALLOC_MAX_SIZE, 8));
    expect(machineOf(a).vmalloc.reservedBytes).toBe(0);
    expect(unwrap(a.stats()).vmBytes).toBe(0);
  });
});

describe("rollback after an injected ENOMEM at each slab page allocation", () => {
  /**
   * Fails the k-th page allocation of `alloc(size)` for every k below `expected`, on a system
   * freshly set up each time, and checks that nothing changed; `expected` page allocations must
   * be exactly what one successful allocation makes.
   */
  function failEach(setUp: () => Obj[], size: number, expected: number): void {
    setUp();
    const m0 = machineOf(a);
    const allocations = m0.pages.allocations;
    unwrap(a.alloc(size, 8));
    expect(m0.pages.allocations - allocations).toBe(expected);

    for (let k = 0; k < expected; k++) {
      const objs = setUp();
      const m = machineOf(a);
      const before = snapshot(a, objs);
      const allocationsBefore = m.pages.allocations;
      unwrap(a.failPageAlloc(k, 1));
      expectErr(a.alloc(size, 8), "ENOMEM");
      expect(m.pages.allocations - allocationsBefore, `k=${k}`).toBe(k);
      expect(m.pages.injectionPending, `k=${k}`).toBe(false);
      expect(snapshot(a, objs), `k=${k}`).toEqual(before);
      const p = unwrap(a.alloc(size, 8));
      expectEveryCopyZero(a, p, size);
      objs.forEach((o, i) => expectEveryCopyWritten(a, o.p, o.size, 10 + i));
    }
  }

  /*
   * The page allocations of one __alloc_percpu(4096) on an empty system, CPUs 0, 1, 3 possible:
   *
   *   k   0                  | 1          | 2          | 3
   *       kmalloc-64 slab    | cpu 0 copy | cpu 1 copy | cpu 3 copy   (kmalloc-4096: a page each)
   *       for the array      |            |            |
   *
   * Expect ENOMEM at every k, every copy made so far and the array freed, nothing held.
   */
  it("on an empty system: the array's slab page, then one page per possible CPU", () => {
    // NR_CPUS 4, possible 0, 1, 3: pdata (kmalloc-64, node 0), then kmalloc-4096 copies.
    failEach(
      () => {
        booted(a, { possible: [0, 1, 3], present: [0, 1], online: [0] });
        return [];
      },
      4096,
      1 + 3,
    );
  });

  it("the ENOMEM names the CPU whose copy could not be made", () => {
    booted(a, { possible: [0, 1, 3], present: [0, 1], online: [0] });
    unwrap(a.failPageAlloc(2, 1)); // the array's slab page, CPU 0's copy, then CPU 1's
    expectErr(a.alloc(4096, 8), "ENOMEM", "alloc: kmalloc_node for cpu 1 failed: ");
  });

  it("with live objects: every copy of a fresh size class needs a new slab page", () => {
    // The live objects' arrays keep the kmalloc-64 slab; kmalloc-8192 copies are order-1 runs.
    failEach(
      () => {
        booted(a, { possible: [0, 1, 2, 3], present: [0, 1], online: [0] });
        return [allocWritten(a, 8, 8, 10), allocWritten(a, 100, 8, 11)];
      },
      8192,
      4,
    );
  });

  it("every kmalloc-4096 copy on a 4-node machine", () => {
    failEach(
      () => {
        booted(a, {
          nrCpus: 8,
          nrNodes: 4,
          cpuToNode: [0, 1, 2, 3, 0, 1, 2, 3],
          possible: [0, 1, 2, 3, 5, 6],
          present: [0, 1],
          online: [1],
        });
        return [allocWritten(a, 4, 4, 10)];
      },
      4096,
      6,
    );
  });
});

describe("a machine failure the model does not expect", () => {
  /** The allocator's own check of a machine answer that must succeed. */
  class Probe extends LegacyAllocator {
    must(r: Result<unknown>): void {
      this.mustSucceed(r);
    }
  }

  it("is a MachineError naming the revision and the failure; a success passes", () => {
    const probe = new Probe();
    expect(() => probe.must(ok(1))).not.toThrow();
    expect(() => probe.must(err("EFAULT", "load at 0x10 faults"))).toThrow(MachineError);
    expect(() => probe.must(err("EFAULT", "load at 0x10 faults"))).toThrow(
      "legacy-2.6.10: load at 0x10 faults",
    );
  });
});

describe("capabilities", () => {
  it("has no block view: inspect is ENOTSUP", () => {
    expect(a.hello().capabilities).not.toContain("inspect");
    booted(a);
    unwrap(a.alloc(8, 8));
    expectErr(a.inspect(), "ENOTSUP");
  });

  it("does nothing on hotplug: onlining a CPU allocates nothing and keeps every copy", () => {
    booted(a, { present: [0, 1, 2], online: [0] });
    const objs = [allocWritten(a, 64, 8, 1)];
    const before = snapshot(a, objs);
    const allocations = machineOf(a).pages.allocations;
    unwrap(a.cpuUp(2));
    unwrap(a.cpuAdd(3));
    unwrap(a.cpuUp(3));
    unwrap(a.cpuDown(0));
    expect(machineOf(a).pages.allocations).toBe(allocations);
    expect({ ...snapshot(a, objs), online: [], present: [] }).toEqual({
      ...before,
      online: [],
      present: [],
    });
    expect(possibleCpus(a)).toEqual([0, 1, 2, 3]);
  });
});
