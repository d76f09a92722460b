/**
 * kiran-2005-01: the January details of its module header (currency, bubble sort, NR_CPUS
 * loops, 9 management pages cleared by hand, low memory only, no CPU_UP_PREPARE handler),
 * checked through the protocol, `inspect`, the work counters and the white-box machine.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { BootConfig, Ptr } from "../../allocator.ts";
import {
  MachineError,
  PAGE_SIZE,
  POISON,
  pfnToDirect,
  totalPages,
  type PageFrame,
  type PageRequest,
} from "../../machine/index.ts";
import { err, unwrap } from "../../result.ts";
import {
  allocWritten,
  booted,
  expectErr,
  expectEveryCopyWritten,
  expectEveryCopyZero,
  machineOf,
  pagesHeld,
  rng,
  roundRobinNodes,
  snapshot,
  type Obj,
} from "../testing.ts";
import { DATA_OWNER, KiranAllocator, MGMT_OWNER, PCPU_BLKSIZE } from "./kiranAllocator.ts";
import type { KiranDetail } from "./kiranAllocator.ts";
import {
  BLOCK_MANAGEMENT_PAGES,
  JANUARY_BLOCK_STRUCT,
  januaryBlockStruct,
  januaryMgmtBytes,
  KiranJanuaryAllocator,
} from "./kiranJanuaryAllocator.ts";

const K8 = PCPU_BLKSIZE;

let a: KiranJanuaryAllocator;
beforeEach(() => {
  a = new KiranJanuaryAllocator();
});

function detail(x: KiranAllocator = a): KiranDetail {
  return unwrap(x.inspect()).detail as KiranDetail;
}

function bootNr(x: KiranAllocator, nrCpus: number, overrides: Partial<BootConfig> = {}): void {
  booted(x, { nrCpus, cpuToNode: roundRobinNodes(nrCpus, 2), ...overrides });
}

/** Records every page request the allocator makes from now on. */
function recordRequests(x: KiranAllocator): PageRequest[] {
  const pages = machineOf(x).pages;
  const requests: PageRequest[] = [];
  const original = pages.alloc.bind(pages);
  vi.spyOn(pages, "alloc").mockImplementation((req: PageRequest) => {
    requests.push(req);
    return original(req);
  });
  return requests;
}

describe("the build: i386 by default, the 64-bit build as an option", () => {
  /*
   * The thread's January figures are of a 32-bit build: "36 bytes" of stack for
   * BLOCK_MANAGEMENT_PAGES = 9 page pointers of 4 bytes, and 2000 objects of 4 bytes in 8000
   * of 8192 bytes (a 4-byte currency). On i386 sizeof(void *) is 4: 2048 bufctls of 16 bytes
   * and a 280-byte block struct, 9 pages; on a 64-bit build 1024 of 32 and 176 bytes, 9 pages.
   */
  it("i386: currency 4, 2048 bits a block, 9 management pages, 36 bytes of page pointers", () => {
    booted(a);
    expect(a.wordSize).toBe(4);
    expect(a.currency).toBe(4);
    expect(a.objsPerBlock).toBe(2048);
    expect(januaryMgmtBytes(4)).toBe(2048 * 16 + 280);
    const o1 = unwrap(a.alloc(1, 1));
    expect(unwrap(a.alloc(4, 4))).toBe(o1 + 4);
    expect(detail()).toMatchObject({ currency: 4, wordSize: 4 });
    expect(detail().list[0]?.mgmtPages).toBe(9);
    expect(detail().list[0]!.mgmtPages * detail().wordSize).toBe(36);
  });
});

describe("currency sizeof(void *) = 8 (the 64-bit build)", () => {
  beforeEach(() => {
    a = new KiranJanuaryAllocator(8);
  });

  /*
   * One block, in 8-byte units:
   *
   *   offset  0    8    16   24   32   40 ...
   *          | o1 | o2 (9 bytes)| o3 | o4 | free ...
   *
   * Expect a 1-byte object to take 8 bytes, a 9-byte one 16, alignment 0 to mean 8, and the
   * bitmap to count one bit per 8 bytes (1024 bits a block).
   */
  it("rounds sizes up to 8 bytes and counts one bit per 8 bytes", () => {
    booted(a);
    const o1 = unwrap(a.alloc(1, 1));
    const o2 = unwrap(a.alloc(9, 1));
    const o3 = unwrap(a.alloc(4, 0));
    const o4 = unwrap(a.alloc(8, 8));
    expect([o2 - o1, o3 - o1, o4 - o1]).toEqual([8, 24, 32]);
    expect(o3 % 8).toBe(0);
    expect(a.currency).toBe(8);
    expect(a.objsPerBlock).toBe(1024);
    expect(detail()).toMatchObject({ currency: 8, blkSize: K8 });
    expect(detail().list).toEqual([
      expect.objectContaining({ sizeUsed: 40, setBits: 5, live: 4, mgmtPages: 9 }),
    ]);
    expect(detail().bufctls.map((c) => c.bits)).toEqual([1, 2, 1, 1]);
  });

  it("1024 objects of 1 byte fill one block; the 1025th makes a second", () => {
    booted(a, { possible: [0, 3] });
    const first = unwrap(a.alloc(1, 1));
    for (let i = 1; i < 1024; i++) expect(unwrap(a.alloc(1, 1))).toBe(first + 8 * i);
    expect(unwrap(a.inspect()).blocks).toEqual([
      { id: 0, state: "full", live: 1024, freeBytes: 0 },
    ]);
    unwrap(a.alloc(1, 1));
    expect(machineOf(a).vmalloc.areaCount).toBe(2);
    expect(detail().firstNotFull).toBe(1);
  });
});

describe("the obj_map bubble sort", () => {
  /*
   * One block with n free runs: 2(n-1) objects of 8 bytes, every other one freed, and the tail:
   *
   *   | free | k | free | k | ... | free | k | free tail ...... |
   *    run 1      run 2             run n-1    run n
   *
   * Expect one more allocation to sort the n runs with n(n-1)/2 comparisons (quadratic: 4x the
   * comparisons for 2x the runs), while kiran-2005-09's library sort needs far fewer.
   */
  function comparisonsWithRuns(x: KiranAllocator, n: number): number {
    booted(x);
    const objs = Array.from({ length: 2 * (n - 1) }, () => unwrap(x.alloc(8, 8)));
    objs.forEach((p, i) => {
      if (i % 2 === 0) unwrap(x.free(p));
    });
    const before = x.work.comparisons;
    unwrap(x.alloc(64, 8)); // fits only the tail: every run is sorted and passed over
    return x.work.comparisons - before;
  }

  it("costs n(n-1)/2 comparisons for n free runs", () => {
    const counts = [10, 20, 40, 80].map((n) => comparisonsWithRuns(a, n));
    expect(counts).toEqual([45, 190, 780, 3160]);
    expect(counts[3]! / counts[2]!).toBeGreaterThan(4);
    const library = [10, 20, 40, 80].map((n) => comparisonsWithRuns(new KiranAllocator(), n));
    library.forEach((c, i) => expect(c).toBeLessThan(counts[i]!));
    expect(library[3]!).toBeLessThan(3160 / 4);
  });

  it("takes the smallest run that fits, ties in address order (the sort is stable)", () => {
    booted(a);
    const p = Array.from({ length: 8 }, (_, i) => unwrap(a.alloc(i % 2 === 0 ? 16 : 8, 8)));
    unwrap(a.free(p[0]!)); // a 16-byte run at 0
    unwrap(a.free(p[2]!)); // a 16-byte run at 24
    unwrap(a.free(p[5]!)); // an 8-byte run at 64
    expect(unwrap(a.alloc(8, 8))).toBe(p[5]);
    expect(unwrap(a.alloc(16, 8))).toBe(p[0]);
    expect(unwrap(a.alloc(16, 8))).toBe(p[2]);
  });

  /** Free runs of these sizes, each followed by a live 4-byte object, then the tail: their starts. */
  function holes(sizes: readonly number[]): Ptr[] {
    booted(a);
    const p = sizes.map((size) => {
      const hole = unwrap(a.alloc(size, 4));
      unwrap(a.alloc(4, 4));
      return hole;
    });
    for (const hole of p) unwrap(a.free(hole));
    return p;
  }

  it("moves a run past every smaller one and never swaps runs of equal size", () => {
    // Runs of 3, 2 and 1 bits (12, 8, 4 bytes): sorted 1, 2, 3; 8 bytes best fit the middle one.
    const down = holes([12, 8, 4]);
    expect(unwrap(a.alloc(8, 4))).toBe(down[1]);
    // Runs of 1, 1 and 2 bits: a swap of the equal pair on its first pass would put the second
    // 4-byte run first.
    const equal = holes([4, 4, 8]);
    expect(unwrap(a.alloc(4, 4))).toBe(equal[0]);
  });
});

describe("loops over NR_CPUS testing cpu_possible", () => {
  /*
   * The first allocation of an empty system, CPUs 0-3 possible:
   *
   *   valloc_percpu:  for (i = 0; i < NR_CPUS; i++) if (cpu_possible(i)) populate slice i
   *   the block walk: 1 block
   *   zeroing:        for (i = 0; i < NR_CPUS; i++) if (cpu_possible(i)) memset copy i
   *
   * Expect 2 x NR_CPUS + 1 loop iterations: 17 at NR_CPUS 8, 1025 at NR_CPUS 512; kiran-2005-09
   * (for_each_cpu) needs 2 x 4 + 1 = 9 at both.
   */
  it.each([
    [8, 17],
    [512, 1025],
  ])("NR_CPUS %i: %i iterations for the first allocation", (nrCpus, expected) => {
    bootNr(a, nrCpus, { possible: [0, 1, 2, 3] });
    unwrap(a.alloc(64, 8));
    expect(a.work.loopIterations).toBe(expected);
    const later = a.work.loopIterations;
    unwrap(a.alloc(64, 8)); // no new block: the block walk and the zeroing loop
    expect(a.work.loopIterations - later).toBe(1 + nrCpus);

    const sep = new KiranAllocator();
    bootNr(sep, nrCpus, { possible: [0, 1, 2, 3] });
    unwrap(sep.alloc(64, 8));
    expect(sep.work.loopIterations).toBe(9);
  });
});

describe("management pages", () => {
  it("BLOCK_MANAGEMENT_PAGES is 9 on either build: the bufctls and the block struct", () => {
    expect(januaryMgmtBytes(4)).toBe(2048 * 16 + 280);
    expect(januaryMgmtBytes(8)).toBe(1024 * 32 + 176);
    expect(januaryBlockStruct(4)).toBe(JANUARY_BLOCK_STRUCT);
    for (const word of [4, 8]) {
      expect(Math.ceil(januaryMgmtBytes(word) / PAGE_SIZE)).toBe(BLOCK_MANAGEMENT_PAGES);
    }
    expect(BLOCK_MANAGEMENT_PAGES).toBe(9);
  });

  it.each([
    [4, 8],
    [4, 512],
    [8, 8],
    [8, 64],
    [8, 512],
  ] as const)("a %i-byte-word block holds 9 management pages at NR_CPUS %i", (word, nrCpus) => {
    a = new KiranJanuaryAllocator(word);
    bootNr(a, nrCpus, { possible: [0, 1, 2, 3] });
    const m = machineOf(a);
    unwrap(a.alloc(8192, 8));
    unwrap(a.alloc(8, 8));
    expect(a.mgmtPagesPerBlock()).toBe(9);
    expect(totalPages(m.pages.heldBy(MGMT_OWNER))).toBe(2 * 9);
    expect(totalPages(m.pages.heldBy(DATA_OWNER))).toBe(2 * 2 * 4);
    expect(m.vmalloc.reservedBytes).toBe(2 * (nrCpus * K8 + 9 * PAGE_SIZE));
    expect(unwrap(a.stats()).metaBytes).toBe(2 * 9 * PAGE_SIZE);
  });

  /*
   * A low page of the current node is dirtied and freed just before the first block is made;
   * the page allocator hands it back first (last freed, first reused):
   *
   *   pfn X: |ff ff ff ... ff|  --free-->  valloc_percpu: alloc_pages (no __GFP_ZERO), clear_page
   *
   * Expect no management request to ask for __GFP_ZERO and the reused page to read zero.
   */
  it("management pages are not __GFP_ZERO but cleared with clear_page", () => {
    booted(a);
    const m = machineOf(a);
    const dirty = unwrap(m.pages.alloc({ node: m.currentNode, owner: "test" })) as PageFrame;
    unwrap(m.fill(pfnToDirect(dirty.pfn), PAGE_SIZE, 0xff));
    m.pages.free(dirty.pfn);
    const requests = recordRequests(a);
    unwrap(a.alloc(8, 8));
    const mgmt = requests.filter((r) => r.owner === MGMT_OWNER);
    expect(mgmt).toHaveLength(9);
    for (const r of mgmt) {
      expect(r.zero ?? false).toBe(false);
      expect(r.highmem ?? false).toBe(false);
      expect(r.node).toBe(m.currentNode);
    }
    expect(m.pages.frameOf(dirty.pfn)?.owner).toBe(MGMT_OWNER);
    expect([...unwrap(m.read(pfnToDirect(dirty.pfn), PAGE_SIZE))].every((b) => b === 0)).toBe(true);
  });
});

describe("low memory only", () => {
  /*
   * NR_CPUS 4, nodes 0 0 1 1, CPU 2 boots (node 1):
   *
   *   node 0: low | cpu0 x2 | cpu1 x2 |               high | (nothing)
   *   node 1: low | cpu2 x2 | cpu3 x2 | mgmt x9 |     high | (nothing)
   *
   * Expect every page from low memory, the data pages on each CPU's node.
   */
  it("data pages from low memory of each CPU's node, never high memory", () => {
    booted(a, { online: [2, 3] });
    const requests = recordRequests(a);
    unwrap(a.alloc(64, 8));
    unwrap(a.alloc(8192, 8));
    expect(unwrap(a.stats()).pagesByZone).toEqual([
      { low: 8, high: 0 },
      { low: 8 + 18, high: 0 },
    ]);
    const data = requests.filter((r) => r.owner === DATA_OWNER);
    expect(data).toHaveLength(16);
    for (const r of data) expect(r.highmem ?? false).toBe(false);
  });

  it("data pages are not zeroed by the page allocator: past a new object its page is uninitialised", () => {
    booted(a);
    const p = unwrap(a.alloc(64, 8));
    const copy = unwrap(a.ptr(p, 0));
    expectEveryCopyZero(a, p, 64);
    expect([...unwrap(a.read(copy + 64, 8))]).toEqual(Array(8).fill(POISON));
  });

  it("a management page that cannot be cleared is a MachineError naming clear_page and the page", () => {
    booted(a);
    vi.spyOn(machineOf(a), "fill").mockReturnValue(err("EFAULT", "no such page"));
    expect(() => a.alloc(8, 8)).toThrow(MachineError);
    expect(() => a.alloc(8, 8)).toThrow(/^kiran-2005-01: clear_page of pfn \d+: no such page$/);
  });

  it("a node whose low memory is used up fails the block with ENOMEM and nothing held", () => {
    // 40 pages a node: 20 low, 20 high. One block takes 9 + 2 low pages on node 0.
    booted(a, { pagesPerNode: 40, possible: [0, 1], cpuToNode: [0, 0, 1, 1] });
    const objs: Obj[] = [allocWritten(a, 8192, 8, 1)];
    const before = snapshot(a, objs);
    expectErr(a.alloc(8192, 8), "ENOMEM", "low-memory");
    expect(snapshot(a, objs)).toEqual(before);
    expect(unwrap(a.stats()).pagesByZone?.[0]).toEqual({ low: 13, high: 0 });
    expectEveryCopyWritten(a, objs[0]!.p, 8192, 1);
  });
});

describe("NR_CPUS independence", () => {
  /*
   * The same churn at NR_CPUS 8 and 512, CPUs 0, 1, 2 and 5 possible on 2 nodes:
   *
   *   NR_CPUS 8:   | c0 | c1 | c2 | .. | .. | c5 | .. | .. | mgmt x9 |
   *   NR_CPUS 512: | c0 | c1 | c2 | .. | .. | c5 | ... 506 holes ... | mgmt x9 |
   *
   * Expect the same pages per node and zone after every step (only the vm area differs),
   * and the same pointers' offsets in their blocks.
   */
  it("holds the same pages per node and zone at NR_CPUS 8 and 512 after every step", () => {
    const small = new KiranJanuaryAllocator();
    const large = new KiranJanuaryAllocator();
    bootNr(small, 8, { possible: [0, 1, 2, 5] });
    bootNr(large, 512, { possible: [0, 1, 2, 5] });
    const random = rng(5);
    const live: [number, number][] = [];
    let sawBlocks = 0;
    for (let step = 0; step < 300; step++) {
      if (live.length === 0 || random() < 0.6) {
        const size = 1 + Math.floor(random() * (random() < 0.3 ? 8192 : 300));
        const align = 2 ** Math.floor(random() * 6);
        live.push([unwrap(small.alloc(size, align)), unwrap(large.alloc(size, align))]);
      } else {
        const [pair] = live.splice(Math.floor(random() * live.length), 1);
        unwrap(small.free(pair![0]));
        unwrap(large.free(pair![1]));
      }
      expect(unwrap(large.stats()).pagesByZone, `step ${step}`).toEqual(
        unwrap(small.stats()).pagesByZone,
      );
      sawBlocks = Math.max(sawBlocks, detail(small).list.length);
    }
    expect(sawBlocks).toBeGreaterThan(3);
    expect(unwrap(large.stats()).vmBytes).toBeGreaterThan(unwrap(small.stats()).vmBytes);
  });
});

describe("hotplug", () => {
  it("has no CPU_UP_PREPARE handler: cpu_up and cpu_add touch no block", () => {
    booted(a, { possible: [0, 1, 2, 3], present: [0, 1], online: [0] });
    const objs = [allocWritten(a, 64, 8, 1), allocWritten(a, 8192, 8, 2)];
    const m = machineOf(a);
    const before = snapshot(a, objs);
    const allocations = m.pages.allocations;
    unwrap(a.failPageAlloc(0, 1));
    unwrap(a.cpuUp(1));
    unwrap(a.cpuAdd(3));
    unwrap(a.cpuUp(3));
    unwrap(a.cpuDown(0));
    expect(m.pages.allocations).toBe(allocations);
    expect(m.pages.injectionPending).toBe(true);
    expect({ ...snapshot(a, objs), online: [], present: [] }).toEqual({
      ...before,
      online: [],
      present: [],
    });
    objs.forEach((o, i) => expectEveryCopyWritten(a, o.p, o.size, 1 + i));
  });
});

describe("blocks", () => {
  it("an empty block is released at once and the next object reads zero", () => {
    booted(a, { possible: [0, 1, 3] });
    const o = allocWritten(a, 100, 8, 3);
    unwrap(a.free(o.p));
    expect(pagesHeld(a)).toBe(0);
    expect(machineOf(a).vmalloc.areaCount).toBe(0);
    const p = unwrap(a.alloc(100, 8));
    expectEveryCopyZero(a, p, 100);
  });
});
