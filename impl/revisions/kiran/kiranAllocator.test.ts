/**
 * kiran-2005-09: the rules of its module header and of SOURCES.md ("The 2005 allocator"),
 * checked through the protocol, `inspect` and the white-box machine.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { BootConfig, Ptr } from "../../allocator.ts";
import { PAGE_SIZE, totalPages } from "../../machine/index.ts";
import { unwrap } from "../../result.ts";
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
  rng,
  roundRobinNodes,
  snapshot,
  type Obj,
} from "../testing.ts";
import {
  DATA_OWNER,
  KiranAllocator,
  MAX_OBJSIZE,
  MGMT_OWNER,
  PAGES_PER_SLICE,
  PCPU_BLKSIZE,
} from "./kiranAllocator.ts";

import { KernelOops } from "../../external/kernelOops.ts";
import {
  checkTarget,
  describeStep,
  findInvariant,
  findTarget,
  type Invariant,
  type Target,
} from "../../../properties/index.ts";

const K8 = PCPU_BLKSIZE;

/** The design's white-box view (`inspect().detail`). */
interface KiranDetail {
  readonly currency: number;
  readonly blkSize: number;
  readonly firstNotFull: number;
  readonly list: readonly {
    id: number;
    start: number;
    sizeUsed: number;
    setBits: number;
    live: number;
    mgmtPages: number;
  }[];
  readonly bufctls: readonly { addr: number; bits: number; block: number }[];
}

let a: KiranAllocator;
beforeEach(() => {
  a = new KiranAllocator();
});

function detail(): KiranDetail {
  return unwrap(a.inspect()).detail as KiranDetail;
}

/** The block list as [id, sizeUsed] pairs, in list order. */
function list(): [number, number][] {
  return detail().list.map((b) => [b.id, b.sizeUsed]);
}

/** The vm area bytes one block reserves: NR_CPUS slices plus the management area. */
function blockVmBytes(): number {
  return machineOf(a).cpus.nrCpus * K8 + a.mgmtPagesPerBlock() * PAGE_SIZE;
}

function bootNr(nrCpus: number, overrides: Partial<BootConfig> = {}): void {
  booted(a, { nrCpus, cpuToNode: roundRobinNodes(nrCpus, 2), ...overrides });
}

/**
 * Every rule the design keeps between operations: the list sorted by size_used, descending;
 * no full block from first-not-full on (it may lag behind a block that got room); no empty
 * block kept; bitmap, bufctls and
 * size_used agreeing; per block one vm area, 2 data pages per possible CPU and its management
 * pages.
 */
function expectConsistent(): void {
  const d = detail();
  const m = machineOf(a);
  for (let i = 1; i < d.list.length; i++) {
    expect(d.list[i - 1]!.sizeUsed).toBeGreaterThanOrEqual(d.list[i]!.sizeUsed);
  }
  expect(d.firstNotFull).toBeLessThanOrEqual(d.list.length);
  expect(d.list.slice(d.firstNotFull).every((b) => b.sizeUsed < K8)).toBe(true);
  for (const b of d.list) {
    expect(b.sizeUsed).toBeGreaterThan(0);
    expect(b.setBits * d.currency).toBe(b.sizeUsed);
    const mine = d.bufctls.filter((c) => c.block === b.id);
    expect(mine.length).toBe(b.live);
    expect(mine.reduce((s, c) => s + c.bits, 0)).toBe(b.setBits);
    expect(b.mgmtPages).toBe(a.mgmtPagesPerBlock());
  }
  const blocks = d.list.length;
  expect(m.vmalloc.areaCount).toBe(blocks);
  expect(m.vmalloc.reservedBytes).toBe(blocks * blockVmBytes());
  expect(totalPages(m.pages.heldBy(DATA_OWNER))).toBe(
    blocks * PAGES_PER_SLICE * possibleCpus(a).length,
  );
  expect(totalPages(m.pages.heldBy(MGMT_OWNER))).toBe(blocks * a.mgmtPagesPerBlock());
  expect(unwrap(a.inspect()).blocks.map((b) => b.id)).toEqual(d.list.map((b) => b.id));
}

describe("layout", () => {
  /*
   * Two 8-byte objects in one block, NR_CPUS 4, CPUs 0 and 2 possible:
   *
   *   start         +8K (cpu1)      +16K           +24K          +32K
   *   | o1 | o2 |...| hole          | o1 | o2 |... | hole        | mgmt ...
   *
   * Expect o1 at the start of the block's vm area, o2 right after o1, cpu 2's copy of o2 at
   * o2 + 2 * 8 KiB, the holes unmapped and the management pages mapped after the 4 slices.
   */
  it("objects interlaced in per-CPU slices of one vm area", () => {
    booted(a, { possible: [0, 2] });
    const m = machineOf(a);
    const o1 = unwrap(a.alloc(8, 8));
    const o2 = unwrap(a.alloc(8, 8));
    const area = m.vmalloc.areaOf(o1);
    expect(area?.addr).toBe(o1);
    expect(area?.size).toBe(4 * K8 + a.mgmtPagesPerBlock() * PAGE_SIZE);
    expect(o2).toBe(o1 + 8);
    expect(unwrap(a.ptr(o2, 2))).toBe(o2 + 2 * K8);
    expect(unwrap(a.ptr(o1, 0))).toBe(o1);
    for (const hole of [o1 + K8, o1 + K8 + PAGE_SIZE, o1 + 3 * K8, o1 + 3 * K8 + 8]) {
      expectErr(a.read(hole, 1), "EFAULT");
    }
    expect(unwrap(a.node(o1 + 4 * K8))).toBe(m.currentNode);
    expect(unwrap(a.node(o1 + 4 * K8 + (a.mgmtPagesPerBlock() - 1) * PAGE_SIZE))).toBe(0);
    expectErr(a.node(o1 + 4 * K8 + a.mgmtPagesPerBlock() * PAGE_SIZE), "EFAULT"); // guard page
  });

  it("per_cpu_ptr(p, cpu) = p + cpu * 8 KiB, with no memory load", () => {
    bootNr(16, { possible: [0, 1, 5, 9, 15] });
    const m = machineOf(a);
    const objs = [4, 100, 8192, 1, 4096, 24].map((size) => unwrap(a.alloc(size, 4)));
    const loads = m.loads;
    for (const p of objs) {
      for (const cpu of possibleCpus(a)) expect(unwrap(a.ptr(p, cpu))).toBe(p + cpu * K8);
    }
    expect(m.loads).toBe(loads);
    expect(unwrap(a.stats()).memRefsPerDeref).toBe(0);
  });

  it("sizes below the currency round up to it: a 1-byte object takes 4 bytes", () => {
    booted(a);
    const p1 = unwrap(a.alloc(1, 1));
    const p2 = unwrap(a.alloc(5, 1));
    const p3 = unwrap(a.alloc(1, 0));
    expect(p2).toBe(p1 + 4);
    expect(p3).toBe(p2 + 8);
    expect(detail().list[0]?.sizeUsed).toBe(16);
  });
});

describe("sizes and alignment", () => {
  it("every power of two from 1 to 4096 is honoured on every possible CPU", () => {
    booted(a, { possible: [0, 1, 3] });
    for (const align of powersOfTwo(1, PAGE_SIZE)) {
      for (const size of [1, 4, 12, 100]) {
        unwrap(a.alloc(4, 4)); // knock the next free place off any alignment
        const p = unwrap(a.alloc(size, align));
        for (const [cpu, addr] of copies(a, p)) {
          expect(addr % align, `size ${size} align ${align} cpu ${cpu}`).toBe(0);
        }
        expectEveryCopyZero(a, p, size);
      }
    }
    expectConsistent();
  });

  it("alignment 0 means the currency", () => {
    booted(a);
    unwrap(a.alloc(1, 1));
    const p = unwrap(a.alloc(4, 0));
    expect(p % 4).toBe(0);
    expect(p - unwrap(a.alloc(4, 4))).toBe(-4);
  });

  /*
   * The alignment slide, in 4-byte units of one block:
   *
   *   offset  0    4    8    12   16 ...
   *          | k0 | free    | k3 | free ...
   *
   * Expect an 8-byte object aligned to 8 not to fit the smaller run at 4 (its aligned start 8
   * leaves 4 bytes) and to land at 16; an 8-byte object aligned to 4 then fills offset 4.
   */
  it("slides the start forward within a run, else tries the next run", () => {
    booted(a);
    const k0 = unwrap(a.alloc(4, 4));
    const tmp = unwrap(a.alloc(8, 4));
    unwrap(a.alloc(4, 4));
    unwrap(a.free(tmp));
    expect(unwrap(a.alloc(8, 8))).toBe(k0 + 16);
    expect(unwrap(a.alloc(8, 4))).toBe(k0 + 4);
    expect(unwrap(a.alloc(8, 4096))).toBe(k0 + 4096);
  });

  it("serves MAX_OBJSIZE (one whole slice) and refuses more", () => {
    booted(a);
    expect(a.maxSize).toBe(MAX_OBJSIZE);
    const p = unwrap(a.alloc(MAX_OBJSIZE, 4096));
    expectEveryCopyZero(a, p, MAX_OBJSIZE);
    expect(unwrap(a.inspect()).blocks).toEqual([{ id: 0, state: "full", live: 1, freeBytes: 0 }]);
    const before = snapshot(a);
    expectErr(a.alloc(MAX_OBJSIZE + 1, 4), "EINVAL", "size");
    expectErr(a.alloc(8, 8192), "EINVAL", "align");
    expectErr(a.alloc(8, 3), "EINVAL", "align");
    expect(snapshot(a)).toEqual(before);
  });
});

describe("best fit", () => {
  /*
   * One block, in 4-byte units:
   *
   *   bit   0   1   2   3   4   5   6   7   8 ...
   *        | a (16 bytes)   | b | c (8) | d | free ...
   *
   *   after freeing a and c:
   *        | run of 4 bits  | b | run 2 | d | run of 2040 bits
   *
   * Expect an 8-byte object to take c's place (the run that fits exactly), not a's (earlier
   * and larger); then a 12-byte one to take a's place (smaller than the tail); then a 4-byte one
   * the single bit left there.
   */
  it("prefers the smallest run that fits over a larger earlier one", () => {
    booted(a);
    const pa = unwrap(a.alloc(16, 4));
    unwrap(a.alloc(4, 4));
    const pc = unwrap(a.alloc(8, 4));
    unwrap(a.alloc(4, 4));
    unwrap(a.free(pa));
    unwrap(a.free(pc));
    expect(unwrap(a.alloc(8, 4))).toBe(pc);
    expect(unwrap(a.alloc(12, 4))).toBe(pa);
    expect(unwrap(a.alloc(4, 4))).toBe(pa + 12);
    expect(unwrap(a.alloc(4, 4))).toBe(pa + 32);
    expectConsistent();
  });
});

describe("blocks", () => {
  it("2048 objects of 4 bytes fill one block exactly; the 2049th makes a second block", () => {
    booted(a, { possible: [0, 3] });
    const m = machineOf(a);
    const first = unwrap(a.alloc(4, 4));
    for (let i = 1; i < K8 / 4; i++) expect(unwrap(a.alloc(4, 4))).toBe(first + 4 * i);
    expect(m.vmalloc.areaCount).toBe(1);
    expect(unwrap(a.inspect()).blocks).toEqual([
      { id: 0, state: "full", live: 2048, freeBytes: 0 },
    ]);
    expect(detail().firstNotFull).toBe(1);

    const next = unwrap(a.alloc(4, 4));
    expect(m.vmalloc.areaCount).toBe(2);
    expect(m.vmalloc.areaOf(next)?.addr).toBe(next);
    expect(list()).toEqual([
      [0, K8],
      [1, 4],
    ]);
    expect(detail().firstNotFull).toBe(1);
    expectConsistent();

    // A free in the full block gives it room, but it stays before first-not-full (block 1
    // uses fewer bytes): the search starts at block 1 and does not see the hole (patch 2/11).
    unwrap(a.free(first + 400));
    expect(list()).toEqual([
      [0, K8 - 4],
      [1, 4],
    ]);
    expect(detail().firstNotFull).toBe(1);
    expect(unwrap(a.alloc(4, 4))).toBe(next + 4);
    expectConsistent();

    // Block 1 emptied while first-not-full names it: the pointer moves to the next link, the
    // list head, so the next allocation makes a block though block 0 has room.
    unwrap(a.free(next + 4));
    unwrap(a.free(next));
    expect(list()).toEqual([[0, K8 - 4]]);
    expect(detail().firstNotFull).toBe(1);
    const third = unwrap(a.alloc(4, 4));
    expect(m.vmalloc.areaCount).toBe(2);
    expect(m.vmalloc.areaOf(third)?.addr).toBe(third);
    expect(list()).toEqual([
      [0, K8 - 4],
      [2, 4],
    ]);
    expectConsistent();
  });

  it("an empty block is released at once: its vm area and every page go back", () => {
    booted(a, { possible: [0, 1, 3] });
    const m = machineOf(a);
    const p = unwrap(a.alloc(100, 8));
    expect(m.vmalloc.areaCount).toBe(1);
    unwrap(a.free(p));
    expect(m.vmalloc.areaCount).toBe(0);
    expect(m.vmalloc.reservedBytes).toBe(0);
    expect(m.vmalloc.mappedPages).toBe(0);
    expect(pagesHeld(a)).toBe(0);
    expect(unwrap(a.inspect()).blocks).toEqual([]);

    const big = unwrap(a.alloc(8000, 4));
    const other = unwrap(a.alloc(1000, 4)); // a second block
    const third = unwrap(a.alloc(192, 4)); // fills the first block
    expect(list()).toEqual([
      [1, 8192],
      [2, 1000],
    ]);
    unwrap(a.free(other));
    expect(list()).toEqual([[1, 8192]]);
    expect(m.vmalloc.areaCount).toBe(1);
    expectConsistent();
    unwrap(a.free(big));
    unwrap(a.free(third));
    expect(pagesHeld(a)).toBe(0);
    expect(m.vmalloc.areaCount).toBe(0);
  });

  it("keeps the list sorted by size_used, descending, with first-not-full right", () => {
    booted(a);
    const p8000 = unwrap(a.alloc(8000, 4));
    expect(list()).toEqual([[0, 8000]]);
    unwrap(a.alloc(4096, 4)); // does not fit block 0: block 1
    expect(list()).toEqual([
      [0, 8000],
      [1, 4096],
    ]);
    const p6000 = unwrap(a.alloc(6000, 4)); // fits neither: block 2, sorted above block 1
    expect(list()).toEqual([
      [0, 8000],
      [2, 6000],
      [1, 4096],
    ]);
    expect(detail().firstNotFull).toBe(0);
    const p192 = unwrap(a.alloc(192, 4)); // fills block 0 exactly
    expect(list()).toEqual([
      [0, 8192],
      [2, 6000],
      [1, 4096],
    ]);
    expect(detail().firstNotFull).toBe(1);
    unwrap(a.alloc(4000, 4)); // block 2 is too full: block 1 takes it and moves up
    expect(list()).toEqual([
      [0, 8192],
      [1, 8096],
      [2, 6000],
    ]);
    expect(detail().firstNotFull).toBe(1);
    unwrap(a.free(p8000)); // block 0 drops to 192 bytes and moves to the end
    expect(list()).toEqual([
      [1, 8096],
      [2, 6000],
      [0, 192],
    ]);
    expect(detail().firstNotFull).toBe(0);
    unwrap(a.free(p192)); // block 0 is empty: released
    expect(list()).toEqual([
      [1, 8096],
      [2, 6000],
    ]);
    unwrap(a.alloc(96, 4)); // fills block 1
    expect(detail().firstNotFull).toBe(1);
    const p8 = unwrap(a.alloc(8, 4)); // the search starts at first-not-full: block 2
    expect(list()).toEqual([
      [1, 8192],
      [2, 6008],
    ]);
    expect(p8).toBe(p6000 + 6000);
    expectConsistent();
    expect(unwrap(a.inspect()).blocks).toEqual([
      { id: 1, state: "full", live: 3, freeBytes: 0 },
      { id: 2, state: "partial", live: 2, freeBytes: K8 - 6008 },
    ]);
  });

  it.each([21, 22, 23])("stays consistent when churn fills blocks exactly (seed %i)", (seed) => {
    booted(a, { possible: [1, 2] });
    const random = rng(seed);
    const sizes = [4, 8, 64, 512, 1024, 2048, 4096, 8192];
    const live: Obj[] = [];
    let sawFull = 0;
    for (let step = 0; step < 400; step++) {
      if (live.length === 0 || random() < 0.6) {
        const size = sizes[Math.floor(random() * sizes.length)] as number;
        live.push({ p: unwrap(a.alloc(size, 4)), size });
      } else {
        const [o] = live.splice(Math.floor(random() * live.length), 1);
        unwrap(a.free(o!.p));
      }
      expectConsistent();
      sawFull = Math.max(sawFull, detail().firstNotFull);
    }
    expect(sawFull).toBeGreaterThanOrEqual(2);
  });

  it.each([11, 12, 13])("stays consistent under seeded churn (seed %i)", (seed) => {
    booted(a, { possible: [0, 2, 3] });
    const random = rng(seed);
    const live: Obj[] = [];
    for (let step = 0; step < 400; step++) {
      if (live.length === 0 || random() < 0.55) {
        const size = 1 + Math.floor(random() * (random() < 0.3 ? 4096 : 256));
        const align = 2 ** Math.floor(random() * 7);
        live.push({ p: unwrap(a.alloc(size, align)), size });
      } else {
        const [o] = live.splice(Math.floor(random() * live.length), 1);
        unwrap(a.free(o!.p));
      }
      expectConsistent();
    }
    expect(detail().list.length).toBeGreaterThan(1);
  });
});

describe("memory", () => {
  it.each([8, 512])(
    "each block reserves NR_CPUS x 8 KiB plus its management area (NR_CPUS %i)",
    (nrCpus) => {
      bootNr(nrCpus, { possible: [0, 1, 2, 3] });
      const m = machineOf(a);
      const mgmt = a.mgmtPagesPerBlock();
      unwrap(a.alloc(8192, 4));
      expect(m.vmalloc.areaCount).toBe(1);
      expect(m.vmalloc.reservedBytes).toBe(nrCpus * 8192 + mgmt * 4096);
      expect(unwrap(a.stats()).vmBytes).toBe(nrCpus * 8192 + mgmt * 4096);
      unwrap(a.alloc(4, 4));
      expect(m.vmalloc.areaCount).toBe(2);
      expect(m.vmalloc.reservedBytes).toBe(2 * (nrCpus * 8192 + mgmt * 4096));
      // The data pages depend on the possible CPUs only; the management pages are real.
      expect(totalPages(m.pages.heldBy(DATA_OWNER))).toBe(2 * 2 * 4);
      expect(totalPages(m.pages.heldBy(MGMT_OWNER))).toBe(2 * mgmt);
      expect(unwrap(a.stats()).metaBytes).toBe(2 * mgmt * PAGE_SIZE);
      expect(unwrap(a.stats()).unitBytes).toBe(2 * K8);
    },
  );

  it("the management area grows with NR_CPUS (its page-pointer array)", () => {
    bootNr(8);
    const at8 = a.mgmtPagesPerBlock();
    bootNr(512);
    const at512 = a.mgmtPagesPerBlock();
    // 2048 buf_ctls of 24 bytes, the block struct with its bitmap, int bufctl_fl[2048] and
    // 2 x 2 x NR_CPUS page pointers (patch 2/11, 64-bit).
    expect(a.mgmtBytes(8)).toBe(2048 * 24 + 8 + 16 + 4 + 4 + 256 + 2048 * 4 + 32 * 8);
    expect(at8).toBe(15);
    expect(at512).toBe(19);
    expect(at512).toBeGreaterThan(at8);
    unwrap(a.alloc(4, 4));
    expect(totalPages(machineOf(a).pages.heldBy(MGMT_OWNER))).toBe(at512);
  });

  /*
   * One block, NR_CPUS 8, CPUs 0, 2 and 5 possible:
   *
   *   start  +8K    +16K   +24K   +32K   +40K   +48K   +56K   +64K
   *   | cpu0 | hole | cpu2 | hole | hole | cpu5 | hole | hole | mgmt ...
   *
   * Expect 2 data pages per possible CPU per block and every hole to fault.
   */
  it("pages only for possible CPUs; an impossible CPU's slice faults", () => {
    bootNr(8, { possible: [0, 2, 5] });
    const m = machineOf(a);
    const p = unwrap(a.alloc(4, 4));
    expect(totalPages(m.pages.heldBy(DATA_OWNER))).toBe(2 * 3);
    for (const cpu of [1, 3, 4, 6, 7]) {
      for (const off of [0, PAGE_SIZE, K8 - 1]) {
        const addr = p + cpu * K8 + off;
        expectErr(a.read(addr, 1), "EFAULT");
        expectErr(a.write(addr, new Uint8Array([1])), "EFAULT");
        expectErr(a.node(addr), "EFAULT");
      }
      expectErr(a.ptr(p, cpu), "EINVAL", "not possible");
    }
    unwrap(a.alloc(8192, 4));
    expect(totalPages(m.pages.heldBy(DATA_OWNER))).toBe(2 * 2 * 3);
    expect(m.vmalloc.mappedPages).toBe(2 * (2 * 3 + a.mgmtPagesPerBlock()));
  });

  /*
   * NR_CPUS 4, nodes 0 0 1 1, the current CPU (CPU 2) on node 1:
   *
   *   node 0: high | cpu0 x2 | cpu1 x2 |       low | (nothing)
   *   node 1: high | cpu2 x2 | cpu3 x2 |       low | mgmt x15
   *
   * Expect the data pages from high memory of each CPU's node, the management pages from low
   * memory of the current node.
   */
  it("data pages from high memory, management pages from low memory", () => {
    booted(a, { online: [2, 3] });
    unwrap(a.alloc(64, 8));
    const mgmt = a.mgmtPagesPerBlock();
    expect(unwrap(a.stats()).pagesByZone).toEqual([
      { low: 0, high: 4 },
      { low: mgmt, high: 4 },
    ]);
    expect(unwrap(a.stats()).pagesByNode).toEqual([4, mgmt + 4]);
    expect(machineOf(a).pages.heldBy(MGMT_OWNER)).toEqual([
      { low: 0, high: 0 },
      { low: mgmt, high: 0 },
    ]);
  });

  it("a block that does not fit in the vmalloc area is ENOMEM with nothing held", () => {
    // Room for exactly one block and its guard page.
    const vm = 4 * K8 + 15 * PAGE_SIZE + PAGE_SIZE;
    booted(a, { vmallocBytes: vm });
    expect(a.mgmtPagesPerBlock()).toBe(15);
    const objs = [allocWritten(a, 8000, 4, 1)];
    const before = snapshot(a, objs);
    expectErr(a.alloc(1000, 4), "ENOMEM", "vmalloc");
    expect(snapshot(a, objs)).toEqual(before);
    unwrap(a.free(objs[0]!.p));
    expect(unwrap(a.alloc(1000, 4))).toBe(objs[0]!.p);
  });
});

describe("rollback after an injected ENOMEM at each page allocation of a block's creation", () => {
  function failEach(config: Partial<BootConfig>): void {
    const setUp = (): Obj[] => {
      booted(a, config);
      return [allocWritten(a, 8, 8, 20), allocWritten(a, 100, 4, 21), allocWritten(a, 4, 4, 22)];
    };
    setUp();
    // Management pages, then 2 per possible CPU: every page allocation valloc_percpu makes.
    const n = a.mgmtPagesPerBlock() + PAGES_PER_SLICE * possibleCpus(a).length;
    const m0 = machineOf(a);
    const allocations = m0.pages.allocations;
    unwrap(a.alloc(MAX_OBJSIZE, 4)); // cannot share the first block: a new one
    expect(m0.pages.allocations - allocations).toBe(n);

    for (let k = 0; k < n; k++) {
      const objs = setUp();
      const m = machineOf(a);
      const before = snapshot(a, objs);
      const allocationsBefore = m.pages.allocations;
      unwrap(a.failPageAlloc(k, 1));
      expectErr(a.alloc(MAX_OBJSIZE, 4), "ENOMEM");
      expect(m.pages.allocations - allocationsBefore, `k=${k}`).toBe(k);
      expect(m.pages.injectionPending, `k=${k}`).toBe(false);
      expect(snapshot(a, objs), `k=${k}`).toEqual(before);
      expect(m.vmalloc.mappedPages, `k=${k}`).toBe(before.vmMappedPages);
      const p = unwrap(a.alloc(MAX_OBJSIZE, 4));
      expectEveryCopyZero(a, p, MAX_OBJSIZE);
      objs.forEach((o, i) => expectEveryCopyWritten(a, o.p, o.size, 20 + i));
      expectConsistent();
    }
  }

  /*
   * The page allocations of one block's creation (valloc_percpu), NR_CPUS 4, CPUs 0, 1, 3:
   *
   *   k   0 1 ... 16 | 17 18 | 19 20 | 21 22
   *       mgmt pages | cpu 0 | cpu 1 | cpu 3      (between them: the vm area reservation)
   *
   * Expect ENOMEM at every k with pages, vm areas, the block list and the live objects as
   * before, and the next allocation to make the block.
   */
  it("NR_CPUS 4, CPUs 0, 1 and 3 possible", () => {
    failEach({ possible: [0, 1, 3], online: [0] });
  });

  it("NR_CPUS 8 on 4 nodes, 5 possible CPUs", () => {
    failEach({
      nrCpus: 8,
      nrNodes: 4,
      cpuToNode: roundRobinNodes(8, 4),
      possible: [0, 1, 2, 5, 7],
      present: [0, 5],
      online: [5],
    });
  });

  it("a failure in the first block of an empty system leaves nothing", () => {
    booted(a);
    const n = a.mgmtPagesPerBlock() + PAGES_PER_SLICE * 4;
    for (const k of [0, 1, n - 1]) {
      unwrap(a.failPageAlloc(k, 1));
      expectErr(a.alloc(4, 4), "ENOMEM");
      expect(pagesHeld(a)).toBe(0);
      expect(machineOf(a).vmalloc.areaCount).toBe(0);
      expect(unwrap(a.inspect()).blocks).toEqual([]);
    }
    const p: Ptr = unwrap(a.alloc(4, 4));
    expectEveryCopyZero(a, p, 4);
  });
});

describe("hotplug", () => {
  it("CPU_UP_PREPARE finds every possible CPU's slice populated: cpu_up allocates nothing", () => {
    booted(a, { possible: [0, 1, 2, 3], present: [0, 1], online: [0] });
    const objs = [allocWritten(a, 64, 8, 1), allocWritten(a, 8192, 8, 2)];
    const m = machineOf(a);
    const before = snapshot(a, objs);
    const allocations = m.pages.allocations;
    unwrap(a.cpuUp(1));
    unwrap(a.cpuAdd(3));
    unwrap(a.cpuUp(3));
    unwrap(a.cpuDown(0));
    unwrap(a.cpuDown(3));
    unwrap(a.cpuRemove(3));
    expect(m.pages.allocations).toBe(allocations);
    expect({ ...snapshot(a, objs), online: [], present: [] }).toEqual({
      ...before,
      online: [],
      present: [],
    });
    expectConsistent();
  });

  it("an injected failure pending at cpu_up is not consumed: cpu_up makes no page", () => {
    booted(a, { present: [0, 1, 2, 3], online: [0] });
    unwrap(a.alloc(64, 8));
    unwrap(a.failPageAlloc(0, 1));
    unwrap(a.cpuUp(2));
    expect(machineOf(a).pages.injectionPending).toBe(true);
    expect(machineOf(a).cpus.online).toEqual([0, 2]);
  });
});

describe("capabilities", () => {
  it("offers inspect, with one view entry per block", () => {
    expect(a.hello().capabilities).toContain("inspect");
    booted(a);
    expect(unwrap(a.inspect()).blocks).toEqual([]);
    unwrap(a.alloc(100, 4));
    unwrap(a.alloc(8, 4));
    expect(unwrap(a.inspect()).blocks).toEqual([
      { id: 0, state: "partial", live: 2, freeBytes: K8 - 108 },
    ]);
    expect(detail()).toMatchObject({ currency: 4, blkSize: K8, firstNotFull: 0 });
  });
});

describe("patch 2/11's BUG_ON(!IS_ALIGNED(size, PCPU_CURR_SIZE)), as an option", () => {
  /*
   * With the option, a size above the 4-byte currency that is not a multiple of it is a
   * kernel BUG, as patch 2/11 has it. Expect alloc(6, 4) to raise KernelOops and alloc(4, 4)
   * and alloc(8, 4) (multiples) and alloc(3, 4) (below the currency) to be served; and the
   * suite, checking no-oops on the revision so built, to find the BUG in one step: one
   * allocation of a size above the currency that is not a multiple of it.
   */
  it("oopses on an unaligned size, and check finds it in one step", () => {
    const b = new KiranAllocator({ bugOnUnaligned: true });
    booted(b);
    expect(() => b.alloc(6, 4)).toThrow(KernelOops);
    expect(() => b.alloc(10, 4)).toThrow(/^alloc answered EOOPS: kernel BUG: BUG_ON/);
    for (const size of [3, 4, 8]) expect(b.alloc(size, 4).ok).toBe(true);
    const base = findTarget("kiran-2005-09") as Target;
    const report = checkTarget(
      {
        ...base,
        id: "kiran-2005-09-bug-on",
        create: () => new KiranAllocator({ bugOnUnaligned: true }),
      },
      {
        seed: 5,
        runs: 50,
        maxCommands: 20,
        model: false,
        invariants: [findInvariant("no-oops") as Invariant],
      },
    );
    const result = report.results[0];
    expect(result?.status).toBe("fail");
    const steps = result?.counterexample?.steps ?? [];
    expect(steps.map(describeStep)).toHaveLength(1);
    const [step] = steps;
    expect(step?.op === "alloc" && step.size > 4 && step.size % 4 !== 0).toBe(true);
    expect(result?.counterexample?.message).toMatch(/BUG_ON\(!IS_ALIGNED/);
  });
});
