/**
 * areamap-2009: the rules of its module header (mm/percpu.c of 2.6.30) checked through the
 * protocol, `inspect` and the white-box machine.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { findInvariant, findTarget, replaySteps, type Step } from "../../../properties/index.ts";
import { PAGE_SIZE, SLAB_OWNER, totalPages } from "../../machine/index.ts";
import { unwrap } from "../../result.ts";
import {
  allocWritten,
  bootConfig,
  booted,
  copies,
  expectErr,
  expectEveryCopyWritten,
  expectEveryCopyZero,
  machineOf,
  possibleCpus,
  powersOfTwo,
  snapshot,
  type Obj,
} from "../testing.ts";
import {
  AreamapAllocator,
  DYNAMIC_SIZE,
  NR_SLOTS,
  PCPU_MIN_UNIT_SIZE,
  RESERVED_SIZE,
  STATIC_SIZE,
  UNIT_PAGE_OWNER,
  UNIT_PAGES,
  UNIT_SIZE,
  STATIC_PAGES,
  chunkStructSize,
  type AreamapDetail,
} from "./areamapAllocator.ts";

const HEAD = STATIC_SIZE + RESERVED_SIZE;

let a: AreamapAllocator;
beforeEach(() => {
  a = new AreamapAllocator();
});

function detail(): AreamapDetail {
  return unwrap(a.inspect()).detail as AreamapDetail;
}

function chunk(id: number): AreamapDetail["chunks"][number] {
  const c = detail().chunks.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no chunk ${id}`);
  return c;
}

/** The first chunk's base: its dynamic area starts HEAD bytes in. */
function firstBase(): number {
  return chunk(0).base;
}

/**
 * Every rule the design keeps between operations: each map covers the unit with no 0 entry
 * and no two adjacent free entries; free size and contig hint agree with the map; each chunk
 * on the slot its free size gives; a vm area of one unit per possible CPU per chunk; unit pages = populated pages x
 * possible CPUs (plus the first chunk's, all populated).
 */
function expectConsistent(): void {
  const d = detail();
  const m = machineOf(a);
  let populated = 0;
  for (const c of d.chunks) {
    expect(c.map.reduce((s, e) => s + Math.abs(e), 0)).toBe(UNIT_SIZE);
    expect(c.map).not.toContain(0);
    c.map.forEach((e, i) => {
      if (i > 0 && e > 0) expect(c.map[i - 1]!, `chunk ${c.id} entry ${i}`).toBeLessThan(0);
    });
    const free = c.map.filter((e) => e > 0);
    expect(c.freeSize).toBe(free.reduce((s, e) => s + e, 0));
    expect(c.contigHint).toBeGreaterThanOrEqual(Math.max(0, ...free));
    expect(d.slots[c.slot]).toContain(c.id);
    expect(c.map.length).toBeLessThanOrEqual(c.mapAlloc);
    populated += c.populatedPages;
  }
  for (const c of d.chunks) {
    expect(m.vmalloc.areaOf(c.base)?.size).toBe(possibleCpus(a).length * UNIT_SIZE);
  }
  expect(totalPages(m.pages.heldBy(UNIT_PAGE_OWNER))).toBe(populated * possibleCpus(a).length);
}

describe("areamap-2009: layout", () => {
  /*
   * NR_CPUS 8, CPUs 0-4 possible on nodes 0 1 0 1 2: 2.6.30 has no groups, CPU c's unit is the
   * c-th,
   *
   *   first chunk base
   *   | cpu 0 | cpu 1 | cpu 2 | cpu 3 | cpu 4 |    each unit 32 KiB:
   *   | node 0| node 1| node 0| node 1| node 2|    | static 8K | reserved 8K | dynamic 16K |
   *
   * Expect the first object at base + 16 KiB, CPU c's copy at p + c x unit_size on
   * cpu_to_node(c), one memory load per per_cpu_ptr, and a vm area of 5 units.
   */
  it("CPU c's unit at c x unit_size; per_cpu_ptr = p + __per_cpu_offset[cpu] with one load", () => {
    booted(a, {
      nrCpus: 8,
      nrNodes: 3,
      cpuToNode: [0, 1, 0, 1, 2, 0, 1, 2],
      possible: [0, 1, 2, 3, 4],
    });
    const m = machineOf(a);
    expect(detail().unitOffsets).toEqual(
      [0, 1, 2, 3, 4].map((cpu) => ({ cpu, offset: cpu * UNIT_SIZE })),
    );
    const p = unwrap(a.alloc(24, 8));
    expect(p).toBe(firstBase() + HEAD);
    expect(m.vmalloc.areaOf(p)?.size).toBe(5 * UNIT_SIZE);
    const loads = m.loads;
    for (const cpu of [0, 1, 2, 3, 4]) {
      const addr = unwrap(a.ptr(p, cpu));
      expect(addr, `cpu ${cpu}`).toBe(p + cpu * UNIT_SIZE);
      expect(unwrap(a.node(addr))).toBe(m.cpus.cpuToNode(cpu));
    }
    expect(m.loads - loads).toBe(5);
    expect(unwrap(a.stats()).memRefsPerDeref).toBe(1);
    expectErr(a.ptr(p, 5), "EINVAL");
  });

  /*
   * Possible CPUs 0, 1, 3: CPU 3's unit would be at 3 x unit_size in an area of 3 units, past
   * its end. The boot is refused, naming the CPU, before a machine is set up.
   */
  it("a possible mask with a hole is refused at boot: its units would fall outside the vm area", () => {
    const r = a.boot(bootConfig({ possible: [0, 1, 3] }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBe("EINVAL");
      expect(r.message).toContain("CPU 3");
    }
    expect(a.booted).toBe(false);
    expect(a.boot(bootConfig({ possible: [1, 2] })).ok).toBe(false);
  });

  it("the first chunk: static and reserved areas used, 16 KiB dynamic, only the static pages mapped at boot", () => {
    booted(a, { possible: [0, 1, 2] });
    expect(chunk(0)).toMatchObject({
      first: true,
      map: [-HEAD, DYNAMIC_SIZE],
      mapAlloc: 2,
      freeSize: DYNAMIC_SIZE,
      contigHint: DYNAMIC_SIZE,
      populatedPages: STATIC_PAGES,
      populated: [1, 1, 0, 0, 0, 0, 0, 0],
    });
    expect(totalPages(machineOf(a).pages.heldBy(UNIT_PAGE_OWNER))).toBe(3 * STATIC_PAGES);
    expect(unwrap(a.stats())).toMatchObject({
      unitBytes: UNIT_SIZE,
      vmBytes: 3 * UNIT_SIZE,
      metaBytes: chunkStructSize(3) + 2 * 4,
    });
    // The struct's page array grows with the possible CPUs: 88 + 64 bytes a CPU.
    expect(chunkStructSize(1)).toBe(152);
    expect(chunkStructSize(64)).toBe(4184);
    expect(unwrap(a.inspect()).blocks).toEqual([
      { id: 0, state: "empty", live: 0, freeBytes: DYNAMIC_SIZE },
    ]);
  });
});

describe("areamap-2009: sizes and alignment", () => {
  it("every power of two from 1 to 4096 is honoured on every possible CPU", () => {
    booted(a, { possible: [0, 1, 2] });
    for (const align of powersOfTwo(1, PAGE_SIZE)) {
      for (const size of [1, 4, 12, 100]) {
        unwrap(a.alloc(3, 1)); // knock the next free offset off any alignment
        const p = unwrap(a.alloc(size, align));
        for (const [cpu, addr] of copies(a, p)) {
          expect(addr % align, `size ${size} align ${align} cpu ${cpu}`).toBe(0);
        }
        expectEveryCopyZero(a, p, size);
      }
    }
    expectConsistent();
  });

  /*
   * Heads and tails below sizeof(int) are not split off (dynamic area offsets from 16384):
   *
   *   alloc(1, 1)  -> [-16384, -1, +16383]
   *   alloc(4, 4)  -> head 3 < 4 joins the used o1: [-16384, -4, -4, +16376]
   *   alloc(16374, 1) leaves a 2-byte tail, which stays with it: [..., -16376]
   *
   * Expect o2 at offset 16388, and the map without any 1-3 byte free entry.
   */
  it("a head or tail smaller than sizeof(int) is merged, not split off", () => {
    booted(a);
    const o1 = unwrap(a.alloc(1, 1));
    expect(chunk(0).map).toEqual([-HEAD, -1, DYNAMIC_SIZE - 1]);
    const o2 = unwrap(a.alloc(4, 4));
    expect(o2 - o1).toBe(4);
    expect(chunk(0).map).toEqual([-HEAD, -4, -4, DYNAMIC_SIZE - 8]);
    unwrap(a.alloc(DYNAMIC_SIZE - 10, 1));
    expect(chunk(0).map).toEqual([-HEAD, -4, -4, -(DYNAMIC_SIZE - 8)]);
    expect(chunk(0).freeSize).toBe(0);
    expectConsistent();
  });

  it("serves PCPU_MIN_UNIT_SIZE (a whole unit, in a chunk of its own) and refuses more", () => {
    booted(a);
    const p = unwrap(a.alloc(PCPU_MIN_UNIT_SIZE, PAGE_SIZE));
    expect(detail().chunks.length).toBe(2);
    expect(chunk(1)).toMatchObject({ map: [-UNIT_SIZE], freeSize: 0, slot: 0 });
    expect(p).toBe(chunk(1).base);
    expectEveryCopyZero(a, p, PCPU_MIN_UNIT_SIZE);
    expectErr(a.alloc(PCPU_MIN_UNIT_SIZE + 1, 1), "EINVAL", "size");
  });
});

describe("areamap-2009: first fit", () => {
  /*
   *   offset  16384  +8     +16    +24    +32
   *           | o1   | o2   | o3   | o4   | free ...
   *   free o2 and o4 (o4 merges with the tail):  [-HEAD, -8, +8, -8, +16352]
   *
   * Expect a 4-byte request to take the first free entry that fits (o2's place), and an
   * 8-byte request aligned 16 to pass the 4 bytes left there and go to the tail.
   */
  it("takes the first free entry that fits, in offset order", () => {
    booted(a);
    const [o1, o2, , o4] = [0, 1, 2, 3].map(() => unwrap(a.alloc(8, 8)));
    unwrap(a.free(o2!));
    unwrap(a.free(o4!));
    expect(chunk(0).map).toEqual([-HEAD, -8, 8, -8, DYNAMIC_SIZE - 24]);
    expect(unwrap(a.alloc(4, 4))).toBe(o2);
    expect(unwrap(a.alloc(8, 16))).toBe(o1! + 32);
    expect(chunk(0).map).toEqual([-HEAD, -8, -4, 4, -8, 8, -8, DYNAMIC_SIZE - 40]);
    expectConsistent();
  });
});

describe("areamap-2009: small heads and tails", () => {
  /*
   *   alloc 13 (o1), 1 (o2)          [-HEAD, -13, -1, +16370]
   *   free o1, alloc 10 (o3)         [-HEAD, -13, -1, ...]   tail 3 < sizeof(int): kept by o3
   *   free o2, alloc 1 aligned 2     head 1 < sizeof(int): given to o3, now 14 bytes
   *                                  [-HEAD, -14, -1, +16369]
   *
   * Expect o3's used entry to grow past its size plus a tail (pcpu_alloc_area's "If head is
   * small or the previous block is free, merge'em"), and areamap-live-areas to accept it.
   */
  it("a used area takes the small heads after it, and keeps them until it is freed", () => {
    booted(a, { possible: [0] });
    const o1 = unwrap(a.alloc(13, 1));
    const o2 = unwrap(a.alloc(1, 1));
    unwrap(a.free(o1));
    const o3 = unwrap(a.alloc(10, 1));
    expect(o3).toBe(o1);
    unwrap(a.free(o2));
    const o4 = unwrap(a.alloc(1, 2));
    expect(o4).toBe(o3 + 14);
    expect(chunk(0).map.slice(0, 4)).toEqual([-HEAD, -14, -1, DYNAMIC_SIZE - 15]);
    const inv = findInvariant("areamap-live-areas")!;
    const steps: Step[] = [
      { op: "alloc", size: 13, align: 1, as: "o1" },
      { op: "alloc", size: 1, align: 1, as: "o2" },
      { op: "free", obj: "o1" },
      { op: "alloc", size: 10, align: 1, as: "o3" },
      { op: "free", obj: "o2" },
      { op: "alloc", size: 1, align: 2, as: "o4" },
    ];
    const config = bootConfig({ possible: [0] });
    expect(
      replaySteps(findTarget("areamap-2009")!, config, steps, [inv]).violation,
    ).toBeUndefined();
    expectConsistent();
  });
});

describe("areamap-2009: free", () => {
  /*
   *   [-HEAD, -8 o1, -8 o2, -8 o3, +16360]
   *   free o1 -> [-HEAD, +8, -8, -8, +16360]
   *   free o3 -> [-HEAD, +8, -8, +16368]          (merged with the free tail)
   *   free o2 -> [-HEAD, +16384]                  (merged with both neighbours)
   */
  it("merges the freed area with free previous and next entries", () => {
    booted(a);
    const [o1, o2, o3] = [0, 1, 2].map(() => unwrap(a.alloc(8, 8)));
    unwrap(a.free(o1!));
    expect(chunk(0).map).toEqual([-HEAD, 8, -8, -8, DYNAMIC_SIZE - 24]);
    unwrap(a.free(o3!));
    expect(chunk(0).map).toEqual([-HEAD, 8, -8, DYNAMIC_SIZE - 16]);
    unwrap(a.free(o2!));
    expect(chunk(0).map).toEqual([-HEAD, DYNAMIC_SIZE]);
    expect(chunk(0).contigHint).toBe(DYNAMIC_SIZE);
    expectConsistent();
  });

  it("a double free, a pointer inside an object, the static area or no chunk: EINVAL, nothing changes", () => {
    booted(a);
    const objs: Obj[] = [allocWritten(a, 16, 8, 1), allocWritten(a, 8, 8, 2)];
    const gone = unwrap(a.alloc(8, 8));
    unwrap(a.free(gone));
    const before = snapshot(a, objs);
    for (const bad of [gone, objs[0]!.p + 4, firstBase(), firstBase() + 100, 0x1000, 2 ** 47]) {
      expectErr(a.free(bad), "EINVAL");
      expect(snapshot(a, objs)).toEqual(before);
    }
    expectErr(a.ptr(gone, 0), "EINVAL");
    objs.forEach((o, i) => expectEveryCopyWritten(a, o.p, o.size, i + 1));
  });

  it("reused space reads zero on every possible CPU", () => {
    booted(a, { possible: [0, 1, 2] });
    const o = allocWritten(a, 64, 8, 9);
    unwrap(a.free(o.p));
    const again = unwrap(a.alloc(64, 8));
    expect(again).toBe(o.p);
    expectEveryCopyZero(a, again, 64);
  });
});

describe("areamap-2009: bad input", () => {
  it("size 0, above 32 KiB, alignment above PAGE_SIZE: EINVAL, nothing changes", () => {
    booted(a);
    const objs = [allocWritten(a, 40, 8, 3)];
    const before = snapshot(a, objs);
    for (const [size, align] of [
      [0, 4],
      [PCPU_MIN_UNIT_SIZE + 1, 4],
      [8, 2 * PAGE_SIZE],
      [1.5, 4],
    ] as const) {
      expectErr(a.alloc(size, align), "EINVAL");
      expect(snapshot(a, objs)).toEqual(before);
    }
  });
});

describe("areamap-2009: map extension", () => {
  /*
   * The first chunk's map is the static dmap[2]: the first allocation needs two spare entries,
   * so it is extended to PCPU_DFL_MAP_ALLOC (16) from kzalloc; 15 entries in use then call for
   * 32 (doubling). A dynamic chunk starts with 16.
   *
   * Expect mapAlloc 2 -> 16 -> 32, one extension counted each time, metaBytes following.
   */
  it("extends a map to 16 entries, then doubles it, and counts each extension", () => {
    booted(a);
    unwrap(a.alloc(4, 4));
    expect(chunk(0).mapAlloc).toBe(16);
    expect(detail().mapExtensions).toBe(1);
    while (chunk(0).map.length < 15) unwrap(a.alloc(4, 4));
    expect(chunk(0).mapAlloc).toBe(16);
    unwrap(a.alloc(4, 4));
    expect(chunk(0).mapAlloc).toBe(32);
    expect(detail().mapExtensions).toBe(2);
    const struct = chunkStructSize(possibleCpus(a).length);
    expect(unwrap(a.stats()).metaBytes).toBe(struct + 32 * 4);
    unwrap(a.alloc(PCPU_MIN_UNIT_SIZE / 2, 4));
    expect(chunk(1).mapAlloc).toBe(16);
    expect(unwrap(a.stats()).metaBytes).toBe(2 * struct + 32 * 4 + 16 * 4);
    expectConsistent();
  });

  it("a map above PAGE_SIZE comes from vmalloc", () => {
    booted(a);
    for (let i = 0; i < 1100; i++) unwrap(a.alloc(4, 4)); // 1100 entries: 2048 ints, 8 KiB
    expect(chunk(0).mapAlloc).toBe(2048);
    expect(machineOf(a).vmalloc.areaCount).toBe(2);
    expectConsistent();
  });
});

describe("areamap-2009: slots", () => {
  /*
   *   free size  16384 -> slot 12   16380 -> 11   0 (full) -> 0   32768 (whole unit) -> 14
   */
  it("each chunk is on the slot of its free size; a fully free chunk on the last", () => {
    booted(a);
    expect(NR_SLOTS).toBe(15);
    expect(chunk(0).slot).toBe(12);
    unwrap(a.alloc(4, 4));
    expect(chunk(0).slot).toBe(11);
    const big = unwrap(a.alloc(DYNAMIC_SIZE, 4)); // does not fit the first chunk: chunk 1
    expect(chunk(1)).toMatchObject({ freeSize: DYNAMIC_SIZE, slot: 12 });
    unwrap(a.free(big));
    expect(chunk(1).slot).toBe(NR_SLOTS - 1);
    expect(detail().slots[NR_SLOTS - 1]).toEqual([1]);
    unwrap(a.alloc(DYNAMIC_SIZE - 4, 4)); // fills the first chunk exactly
    expect(chunk(0)).toMatchObject({ freeSize: 0, slot: 0 });
    expectConsistent();
  });

  it("the search starts at the request's slot: a small request fills the fullest chunk first", () => {
    booted(a);
    unwrap(a.alloc(4, 4)); // the first chunk: 16380 free, slot 11
    const big = unwrap(a.alloc(DYNAMIC_SIZE, 4)); // chunk 1: 16384 free, slot 12
    expect(chunk(1).freeSize).toBe(DYNAMIC_SIZE);
    unwrap(a.alloc(DYNAMIC_SIZE - 68, 4)); // the first chunk keeps 64 bytes: slot 4
    const small = unwrap(a.alloc(32, 4));
    expect(small).toBe(firstBase() + UNIT_SIZE - 64);
    expect(big).toBe(chunk(1).base);
  });
});

describe("areamap-2009: chunk destruction", () => {
  /*
   * Three chunks made by whole-unit objects, then freed:
   *
   *   free o1 -> chunk 1 fully free, alone on the last slot: nothing scheduled
   *   free o2 -> chunk 2 fully free beside chunk 1: reclaim scheduled
   *   reclaim -> every chunk on the last slot but the first on its list is freed
   *
   * Expect one fully free chunk to stay with its vm area and pages, the others to return all.
   */
  it("reclaim frees every fully free chunk but one", () => {
    booted(a, { possible: [0, 1, 2] });
    const m = machineOf(a);
    const base = {
      unit: totalPages(m.pages.heldBy(UNIT_PAGE_OWNER)),
      vm: m.vmalloc.reservedBytes,
    };
    const objs = [0, 1, 2].map(() => unwrap(a.alloc(PCPU_MIN_UNIT_SIZE, 8)));
    expect(detail().chunks.map((c) => c.id)).toEqual([0, 1, 2, 3]);
    unwrap(a.free(objs[0]!));
    expect(detail().reclaimPending).toBe(false);
    unwrap(a.reclaim());
    expect(detail().chunks.length).toBe(4);
    unwrap(a.free(objs[1]!));
    unwrap(a.free(objs[2]!));
    expect(detail().reclaimPending).toBe(true);
    expect(detail().slots[NR_SLOTS - 1]).toEqual([3, 2, 1]);
    unwrap(a.reclaim());
    expect(detail().chunks.map((c) => c.id)).toEqual([0, 3]);
    expect(detail().reclaimPending).toBe(false);
    expect(totalPages(m.pages.heldBy(UNIT_PAGE_OWNER)) - base.unit).toBe(3 * UNIT_PAGES);
    expect(m.vmalloc.reservedBytes - base.vm).toBe(3 * UNIT_SIZE);
    expectConsistent();
  });

  it("the first chunk is never freed", () => {
    booted(a);
    const p = unwrap(a.alloc(8, 8));
    unwrap(a.free(p));
    unwrap(a.reclaim());
    expect(detail().chunks.map((c) => c.id)).toEqual([0]);
  });
});

describe("areamap-2009: memory", () => {
  /*
   * An 8-byte object at offset 20476 of a new chunk straddles pages 4 and 5 of each unit:
   *
   *   unit pages  0 1 2 3 | 4 5 | 6 7
   *                       ^ populated for every possible CPU, from its node, high memory
   */
  it("populates only the pages of the area, for each possible CPU from its node", () => {
    booted(a, { nrCpus: 4, nrNodes: 2, cpuToNode: [1, 0, 1, 0], possible: [0, 1, 2] });
    const m = machineOf(a);
    const data = (): number => totalPages(m.pages.heldBy(UNIT_PAGE_OWNER));
    unwrap(a.alloc(DYNAMIC_SIZE, 4)); // fills the first chunk
    const boot = data();
    const head = unwrap(a.alloc(20476, 4)); // chunk 1: pages 0-4
    expect(chunk(1).populatedPages).toBe(5);
    const p = unwrap(a.alloc(8, 4));
    expect(p - head).toBe(20476);
    expect(chunk(1).populatedPages).toBe(6);
    expect(data() - boot).toBe(6 * 3);
    for (const [cpu, addr] of copies(a, p)) {
      expect(unwrap(a.node(addr))).toBe(m.cpus.cpuToNode(cpu));
      expect(m.pages.frameOf(m.translate(addr)!.pfn)?.zone).toBe("high");
    }
    expectErr(a.read(chunk(1).base + 7 * PAGE_SIZE, 1), "EFAULT"); // page 7 unpopulated
    // cpu 1 on node 0: its 6 pages of chunk 1 and the first chunk's 4 dynamic pages
    expect(m.pages.heldBy(UNIT_PAGE_OWNER)[0]?.high).toBe(6 + 4);
  });

  it("hotplug changes nothing: every possible CPU has its unit from the start", () => {
    booted(a, { possible: [0, 1, 2, 3], present: [0, 1], online: [0] });
    const objs = [allocWritten(a, 64, 8, 1), allocWritten(a, 20000, 8, 2)];
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
  });
});

describe("areamap-2009: rollback after an injected ENOMEM at each page allocation of chunk creation", () => {
  /*
   * The page allocations of an allocation that makes chunk 1 and populates a whole unit,
   * CPUs 0, 1 and 3 possible:
   *
   *   k   0            | 1 .. 8     | 9 .. 16    | 17 .. 24
   *       chunk struct | unit pages | unit pages | unit pages   (one page index at a time,
   *       (slab page)  | page 0: cpus 0, 1, 3; page 1: ... ;     every possible CPU)
   *
   * Expect ENOMEM at every k: at k 0 everything as before; later, every unit page taken is
   * given back and the live objects untouched, while the new chunk stays empty on the last
   * slot (pcpu_alloc frees only the area) and serves the next request without a new vm area.
   */
  function setUp(): Obj[] {
    booted(a, { possible: [0, 1, 2] });
    return [allocWritten(a, 8, 8, 20), allocWritten(a, 100, 4, 21)];
  }

  it("every k from the chunk struct to the last unit page", () => {
    setUp();
    const m0 = machineOf(a);
    const allocations = m0.pages.allocations;
    unwrap(a.alloc(PCPU_MIN_UNIT_SIZE, 4));
    const n = m0.pages.allocations - allocations;
    expect(n).toBe(1 + UNIT_PAGES * 3);

    for (let k = 0; k < n; k++) {
      const objs = setUp();
      const m = machineOf(a);
      const before = snapshot(a, objs);
      unwrap(a.failPageAlloc(k, 1));
      expectErr(a.alloc(PCPU_MIN_UNIT_SIZE, 4), "ENOMEM");
      expect(m.pages.injectionPending, `k=${k}`).toBe(false);
      const after = snapshot(a, objs);
      expect(after.objects, `k=${k}`).toEqual(before.objects);
      expect(after.dataPages, `k=${k}`).toEqual(before.dataPages);
      if (k === 0) {
        expect(after, `k=${k}`).toEqual(before);
      } else {
        expect(after.slabPages, `k=${k}`).not.toEqual(before.slabPages);
        expect(chunk(1)).toMatchObject({ map: [UNIT_SIZE], populatedPages: 0, live: 0 });
        expect(chunk(1).slot).toBe(NR_SLOTS - 1);
      }
      const areas = m.vmalloc.areaCount;
      const p = unwrap(a.alloc(PCPU_MIN_UNIT_SIZE, 4));
      expect(m.vmalloc.areaCount, `k=${k}`).toBe(k === 0 ? areas + 1 : areas);
      expectEveryCopyZero(a, p, PCPU_MIN_UNIT_SIZE);
      objs.forEach((o, i) => expectEveryCopyWritten(a, o.p, o.size, 20 + i));
      expectConsistent();
    }
    expect(totalPages(m0.pages.heldBy(SLAB_OWNER))).toBeGreaterThan(0);
  });

  /*
   * 2.6.30's error path: chunk 1 holds `big` on pages 0-4 (offsets 0..20000); an 8000-byte
   * request at 20000 needs pages 4-6, page 4 already populated and shared with `big`. The third
   * page allocation (page 5, CPU 2) fails, and pcpu_depopulate_chunk(chunk, 20000, 8000) frees
   * and unmaps pages 4-6 of every CPU, page 4 included:
   *
   *   chunk 1 pages  0 1 2 3 4 | 5 6 7      after the failure: 0 1 2 3 . | . . .
   *                  big ------^ (its last 3616 bytes on page 4, now gone)
   *
   * Expect ENOMEM, the map as it was, and big's tail unreadable (EFAULT) on every CPU.
   */
  it("a failed populate frees the pages it shares with a live neighbour (the 2.6.30 bug)", () => {
    setUp();
    unwrap(a.alloc(DYNAMIC_SIZE - 2048, 4)); // the first chunk keeps 1940 bytes
    const big = unwrap(a.alloc(20000, 4)); // chunk 1, pages 0-4
    expect(big).toBe(chunk(1).base);
    const beforeMap = chunk(1).map;
    const m = machineOf(a);
    const held = totalPages(m.pages.heldBy(UNIT_PAGE_OWNER));
    unwrap(a.failPageAlloc(2, 1));
    expectErr(a.alloc(8000, 4), "ENOMEM");
    expect(chunk(1).map).toEqual(beforeMap);
    expect(chunk(1).populated).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(totalPages(m.pages.heldBy(UNIT_PAGE_OWNER))).toBe(held - 3);
    for (const [cpu, addr] of copies(a, big)) {
      expect(a.read(addr + 16383, 1).ok, `cpu ${cpu}`).toBe(true);
      expectErr(a.read(addr + 16384, 1), "EFAULT");
    }
  });
});

describe("areamap-2009: alignments 2.6.30 does not reject", () => {
  /*
   * pcpu_alloc checks only align > PAGE_SIZE; pcpu_alloc_area applies ALIGN(off, align) =
   * (off + align - 1) & ~(align - 1) to whatever it gets.
   *
   *   align 3 after a 2-byte object at 16384: ALIGN(16386, 3) = 16388 & ~2 = 16388 (not a
   *   multiple of 3);  align 0 after it: ALIGN(16386, 0) = 0, head -16386, and the split hands
   *   out offset 0 of the first chunk: its static area, with the map no longer adding up.
   */
  it("align 3 is served at ALIGN's offset; align 0 is served at offset 0, over the static area", () => {
    booted(a, { possible: [0, 1] });
    const o1 = unwrap(a.alloc(2, 1));
    expect(o1 - firstBase()).toBe(HEAD);
    const o2 = unwrap(a.alloc(8, 3));
    expect(o2 - firstBase()).toBe(HEAD + 4);
    const o3 = unwrap(a.alloc(8, 0));
    expect(o3).toBe(firstBase());
    const sum = chunk(0).map.reduce((t, e) => t + Math.abs(e), 0);
    expect(sum).toBeGreaterThan(UNIT_SIZE);
  });
});
