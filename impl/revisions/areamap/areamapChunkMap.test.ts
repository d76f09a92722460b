/**
 * areamap-2009's area map (pcpuChunk.ts: struct pcpu_chunk's map, pcpu_split_block,
 * pcpu_alloc_area, the free-side lookup and merges) driven through PcpuChunk's own API, with
 * maps written by hand: the exact map, offset, free size, contig hint and work of each step.
 */
import { describe, expect, it } from "vitest";
import type { WorkCounters } from "../simulatedAllocator.ts";
import { PcpuChunk, type HintAfterFit } from "./pcpuChunk.ts";
import { UNIT_PAGES } from "./pcpuSizes.ts";

function chunkOf(map: number[], mapAlloc = 16): PcpuChunk {
  return new PcpuChunk({
    id: 7,
    first: false,
    base: 0,
    structAddr: undefined,
    map,
    mapAlloc,
    mapMemory: { kind: "static" },
    unitPages: UNIT_PAGES,
  });
}

function work(): WorkCounters {
  return { comparisons: 0, loopIterations: 0, bitsScanned: 0 };
}

/** 2.6.30's rule after a fit (the allocator's hintAfterFit), recording its arguments. */
function recorder(): { calls: [number, number, boolean][]; rule: HintAfterFit } {
  const calls: [number, number, boolean][] = [];
  return {
    calls,
    rule: (hint, maxContig, isLast) => {
      calls.push([hint, maxContig, isLast]);
      return isLast ? maxContig : Math.max(hint, maxContig);
    },
  };
}

describe("a new chunk", () => {
  /*
   *   map [ -8 | +50 | -4 | +30 ]
   *
   * Expect free size 80, contig hint and largest free entry 50, and slot -1 (on no list yet).
   */
  it("takes its free size and hint from the map and is on no slot", () => {
    const c = chunkOf([-8, 50, -4, 30]);
    expect(c.freeSize).toBe(80);
    expect(c.contigHint).toBe(50);
    expect(c.largestFree()).toBe(50);
    expect(c.slot).toBe(-1);
    expect(c.mapUsed).toBe(4);
  });

  /*
   *   map [ -8 | -4 ]   (nothing free)
   *
   * Expect the largest free entry to be 0.
   */
  it("with no free entry has largest free 0", () => {
    expect(chunkOf([-8, -4]).largestFree()).toBe(0);
  });
});

describe("pcpu_split_block", () => {
  /*
   *   map [ +100 ] of map_alloc 2:  a head and a tail would make 3 entries
   *
   * Expect the BUG_ON (a MachineError naming 2 entries, 1 used, 2 more needed), the map as it
   * was.
   */
  it("BUGs when the map has no room for a head and a tail", () => {
    const c = chunkOf([100], 2);
    expect(() => c.splitBlock(0, 8, 8)).toThrow("map has 2 entries, 1 used, 2 more needed");
    expect(c.map).toEqual([100]);
  });

  /*
   *   map [ +100 ] of map_alloc 1:  a tail alone makes 2 entries
   *
   * Expect the BUG_ON naming 1 more needed.
   */
  it("BUGs when the map has no room for a tail alone", () => {
    expect(() => chunkOf([100], 1).splitBlock(0, 0, 8)).toThrow("1 more needed");
  });

  /*
   *   map [ +100 ] of map_alloc 3:  head 8 | 80 | tail 12   exactly 3 entries
   *
   * Expect [8, 80, 12]: a map with exactly the room needed is enough.
   */
  it("splits a head and a tail when the map has exactly the room", () => {
    const c = chunkOf([100], 3);
    c.splitBlock(0, 8, 12);
    expect(c.map).toEqual([8, 80, 12]);
  });

  /*
   *   map [ +100 ] of map_alloc 2:  head 8 | 92     and     92 | tail 8
   *
   * Expect a head alone to make [8, 92] and a tail alone [92, 8]: one entry each, no 0 entry.
   */
  it("a head alone or a tail alone adds one entry", () => {
    const h = chunkOf([100], 2);
    h.splitBlock(0, 8, 0);
    expect(h.map).toEqual([8, 92]);
    const t = chunkOf([100], 2);
    t.splitBlock(0, 0, 8);
    expect(t.map).toEqual([92, 8]);
  });
});

describe("pcpu_alloc_area", () => {
  /*
   *   offsets 0    16               116
   *   map   [ -16 | +100            ]    8 bytes aligned 8
   *   after [ -16 | -8 | +92        ]
   *
   * Expect offset 16, free size 92, hint 92 (the scan reached the last entry: exact), two
   * entries scanned and compared, and the rule told (old hint 100, 92, last).
   */
  it("splits off the tail of a fit in the last entry; the hint is exact", () => {
    const c = chunkOf([-16, 100]);
    const w = work();
    const r = recorder();
    expect(c.allocArea(8, 8, r.rule, w)).toBe(16);
    expect(c.map).toEqual([-16, -8, 92]);
    expect(c.freeSize).toBe(92);
    expect(c.contigHint).toBe(92);
    expect(r.calls).toEqual([[100, 92, true]]);
    expect(w).toEqual({ comparisons: 2, loopIterations: 0, bitsScanned: 2 });
  });

  /*
   *   map   [ -8 | +50 | -4 | +30 ]    16 bytes aligned 1
   *   after [ -8 | -16 | +34 | -4 | +30 ]
   *
   * Expect offset 8 and the rule told "not last" (the hint kept at the larger, 50).
   */
  it("a fit before the last entry keeps the larger hint", () => {
    const c = chunkOf([-8, 50, -4, 30]);
    const r = recorder();
    expect(c.allocArea(16, 1, r.rule, work())).toBe(8);
    expect(c.map).toEqual([-8, -16, 34, -4, 30]);
    expect(r.calls).toEqual([[50, 34, false]]);
    expect(c.contigHint).toBe(50);
  });

  /*
   *   offsets 0    18
   *   map   [ -18 | +100 ]          8 bytes aligned 4: head ALIGN(18, 4) - 18 = 2 < sizeof(int)
   *   after [ -20 | -8 | +90 ]      the head goes to the used entry before it
   *
   * Expect offset 20 and free size 90 (the 2 bytes are lost to the used area).
   */
  it("a small head goes to a used previous entry", () => {
    const c = chunkOf([-18, 100]);
    expect(c.allocArea(8, 4, recorder().rule, work())).toBe(20);
    expect(c.map).toEqual([-20, -8, 90]);
    expect(c.freeSize).toBe(90);
  });

  /*
   *   offsets 0    20  24
   *   map   [ -20 | +100     ]      8 bytes aligned 8: head 4 = sizeof(int), not small
   *   after [ -20 | +4 | -8 | +88 ]
   *
   * Expect offset 24, free size 92, hint 88.
   */
  it("a head of sizeof(int) is split off as an entry of its own", () => {
    const c = chunkOf([-20, 100]);
    expect(c.allocArea(8, 8, recorder().rule, work())).toBe(24);
    expect(c.map).toEqual([-20, 4, -8, 88]);
    expect(c.freeSize).toBe(92);
    expect(c.contigHint).toBe(88);
  });

  /*
   *   offsets 0    20  24  32
   *   map   [ -20 | +12      ]      8 bytes aligned 8: head 4, tail 0
   *   after [ -20 | +4 | -8  ]
   *
   * Expect offset 24 (the head split off, not handed out), free size 4, hint 4.
   */
  it("a head is split off even when no tail is left", () => {
    const c = chunkOf([-20, 12]);
    expect(c.allocArea(8, 8, recorder().rule, work())).toBe(24);
    expect(c.map).toEqual([-20, 4, -8]);
    expect(c.freeSize).toBe(4);
    expect(c.contigHint).toBe(4);
  });

  /*
   *   offsets 0    20          64  72  76
   *   map   [ -20 | +56              ]   8 bytes aligned 64: head 44, tail 4
   *   after [ -20 | +44 | -8 | +4    ]
   *
   * Expect offset 64 and hint 44: the head is the largest free area the scan saw.
   */
  it("the split-off head counts for the hint", () => {
    const c = chunkOf([-20, 56]);
    expect(c.allocArea(8, 64, recorder().rule, work())).toBe(64);
    expect(c.map).toEqual([-20, 44, -8, 4]);
    expect(c.contigHint).toBe(44);
  });

  /*
   *   offsets 0    10   16
   *   map   [ +10 | +100 ]          16 bytes aligned 16 (a map with two free entries in a row):
   *   after [ +16 | -16 | +78 ]     entry 0 is too small; entry 1's head 6 goes to the free
   *                                 entry before it, which grows
   *
   * Expect offset 16, free size 94 (no byte lost), hint 78 (the 16 seen before the head moved
   * did not count: the scan saw 10).
   */
  it("any head after a free entry goes to that entry", () => {
    const c = chunkOf([10, 100]);
    expect(c.allocArea(16, 16, recorder().rule, work())).toBe(16);
    expect(c.map).toEqual([16, -16, 78]);
    expect(c.freeSize).toBe(94);
    expect(c.contigHint).toBe(78);
  });

  /*
   *   offsets 0    10  12
   *   map   [ +10 | +100 ]          16 bytes aligned 4: head 2, small, to the free entry before
   *   after [ +12 | -16 | +82 ]
   *
   * Expect offset 12 and free size 94.
   */
  it("a small head after a free entry goes to that entry too", () => {
    const c = chunkOf([10, 100]);
    expect(c.allocArea(16, 4, recorder().rule, work())).toBe(12);
    expect(c.map).toEqual([12, -16, 82]);
    expect(c.freeSize).toBe(94);
  });

  /*
   *   offsets 0    16  24
   *   map   [ -16 | -8 | +100 ]     4 bytes aligned 0: ALIGN(off, 0) = 0, a head of -off
   *
   * Expect the used entries skipped however negative the head (-16 at entry 1 would make
   * -8 < -16 + 4 false): the area lands on entry 2, and the C arithmetic hands out offset 0.
   */
  it("skips used entries whatever the head of alignment 0", () => {
    const c = chunkOf([-16, -8, 100]);
    const w = work();
    expect(c.allocArea(4, 0, recorder().rule, w)).toBe(0);
    expect(c.map).toEqual([-16, -8, -24, -4, 120]);
    expect(w.bitsScanned).toBe(3);
  });

  /*
   *   map   [ -8 | +10 | -4 | +6 ]    16 bytes: no entry fits
   *
   * Expect -1, the map unchanged, and the hint exact: 10.
   */
  it("no fit: -1 and an exact hint", () => {
    const c = chunkOf([-8, 10, -4, 6]);
    c.contigHint = 999;
    expect(c.allocArea(16, 4, recorder().rule, work())).toBe(-1);
    expect(c.map).toEqual([-8, 10, -4, 6]);
    expect(c.contigHint).toBe(10);
  });
});

describe("the free-side lookup (findAllocated)", () => {
  /*
   *   offsets 0    8    16                100
   *   map   [ -8 | -8 | +84               ]
   *
   * Expect offset 8 found at entry 1 and 16 (free) not; offset 4 (inside entry 0) stops the
   * walk at the first entry past it (2 entries read); 200 (past the unit) reads all 3.
   */
  it("finds an allocated entry by its start and stops past the offset", () => {
    const c = chunkOf([-8, -8, 84]);
    expect(c.findAllocated(8, work())).toBe(1);
    expect(c.findAllocated(16, work())).toBe(-1);
    const inside = work();
    expect(c.findAllocated(4, inside)).toBe(-1);
    expect(inside.bitsScanned).toBe(2);
    const past = work();
    expect(c.findAllocated(200, past)).toBe(-1);
    expect(past.bitsScanned).toBe(3);
  });

  /*
   *   map [ +8 | -8 | +84 ]   offset 0 starts a free entry (a double free)
   *
   * Expect -1.
   */
  it("a free entry is not freeable", () => {
    expect(chunkOf([8, -8, 84]).findAllocated(0, work())).toBe(-1);
  });
});

describe("the merges of pcpu_free_area", () => {
  /*
   *   map [ +8 | -8 | +84 ]  entry 1 marked free: [ 8 | 8 | 84 ], then merged both ways
   *
   * Expect [100], free size 100, the merged entry at index 0.
   */
  it("marks free and merges with both neighbours", () => {
    const c = chunkOf([8, -8, 84]);
    c.markFree(1);
    expect(c.freeSize).toBe(100);
    const at = c.mergeWithPrevious(1);
    expect(at).toBe(0);
    c.mergeWithNext(at);
    expect(c.map).toEqual([100]);
  });

  /*
   *   map [ -8 | -8 | -84 ]  entry 1 marked free, its neighbours used
   *
   * Expect [-8, 8, -84] and index 1: nothing merged.
   */
  it("keeps used neighbours apart", () => {
    const c = chunkOf([-8, -8, -84]);
    c.markFree(1);
    expect(c.mergeWithPrevious(1)).toBe(1);
    c.mergeWithNext(1);
    expect(c.map).toEqual([-8, 8, -84]);
  });
});
