/**
 * Each depth measure on a hand-made sequence of steps whose depth is known.
 */
import { describe, expect, it } from "vitest";
import type { BlockView, InspectView } from "../../impl/index.ts";
import { findTarget } from "../targets.ts";
import {
  DepthMeter,
  depthLines,
  depthSummary,
  RunDepth,
  unitStride,
  vmRanges,
  type DepthKind,
  type DepthObject,
  type DepthObservation,
  type DepthSetting,
} from "./index.ts";

const PAGE = 4096;
const UNIT = 8 * PAGE;

const IN_PROCESS: DepthSetting = {
  possible: [0, 1],
  pageSize: PAGE,
  units: true,
  inspect: true,
  external: false,
};

const stats = (pages: number, vmBytes = 0, unitBytes = 0) => ({
  pagesByNode: [pages],
  vmBytes,
  unitBytes,
});

/** A block of the view: id, state and live objects. */
function block(id: number, state: BlockView["state"], live: number): BlockView {
  return { id, state, live, freeBytes: state === "full" ? 0 : 1 };
}

/** One step: stats unchanged at `pages`, this view, nothing allocated unless said. */
function step(over: Partial<DepthObservation> & { view?: InspectView }): DepthObservation {
  const { view, ...rest } = over;
  return {
    enomem: false,
    live: 0,
    offline: 0,
    before: stats(10),
    after: stats(10),
    audit: false,
    liveObjects: () => [],
    ...(view !== undefined ? { inspect: () => ({ ok: true, value: view }) } : {}),
    ...rest,
  };
}

/** An object with a copy per CPU, CPU c's at base + c x stride + offset. */
function object(ptr: number, size: number, cpus: number[], stride = UNIT): DepthObject {
  return { ptr, size, copies: new Map(cpus.map((c) => [c, ptr + c * stride])) };
}

describe("depth of one run", () => {
  it("counts chunks held, full, emptied and released from the views", () => {
    // Views after each step (A, B, C chunks; * full):
    //   1: [A 1]  2: [A* 2][B 1]  3: [A 0][B 1][C 0]  4: [B 0]
    // Expect 3 chunks at most, 2 in use (A, B at step 2), 1 full (A), A emptied then released
    // (A full before it), B emptied at step 4, C released at step 4 without holding an object.
    const run = new RunDepth(IN_PROCESS);
    const views: BlockView[][] = [
      [block(1, "partial", 1)],
      [block(1, "full", 2), block(2, "partial", 1)],
      [block(1, "empty", 0), block(2, "partial", 1), block(3, "empty", 0)],
      [block(2, "empty", 0)],
    ];
    for (const blocks of views) run.observe(step({ audit: true, view: { blocks } }));
    const f = run.figures;
    expect(f.chunksMax).toBe(3);
    expect(f.inUseMax).toBe(2);
    expect(f.fullChunks).toBe(1);
    expect(f.emptied).toBe(2);
    expect(f.released).toBe(2);
    expect(f.fullReleased).toBe(1);
  });

  it("asks the view only where a chunk can change", () => {
    // Steps: a hotplug event (nothing changes), a write, an audit, an allocation.
    // Expect the view asked twice: at the audit and after the allocation.
    const run = new RunDepth({ ...IN_PROCESS, external: true });
    let asked = 0;
    const inspect = () => {
      asked++;
      return { ok: true as const, value: { blocks: [block(1, "partial", 1)] } };
    };
    run.observe(step({ inspect }));
    run.observe(step({ inspect }));
    run.observe(step({ inspect, audit: true }));
    run.observe(step({ inspect, allocated: object(0x1000, 8, [0, 1]), live: 1 }));
    expect(asked).toBe(2);
  });

  it("keeps the most live objects and the most CPUs offline", () => {
    // live: 1, 3, 2; offline: 0, 2, 1. Expect 3 live and 2 offline at most; 2 possible CPUs.
    const run = new RunDepth(IN_PROCESS);
    run.observe(step({ live: 1, offline: 0 }));
    run.observe(step({ live: 3, offline: 2 }));
    run.observe(step({ live: 2, offline: 1 }));
    expect(run.figures.liveMax).toBe(3);
    expect(run.figures.offlineMax).toBe(2);
    expect(run.figures.cpus).toBe(2);
  });

  it("keeps the most pages held and counts depopulations apart from releases", () => {
    // pages: 10 -> 14 -> 12 (a chunk still there: a depopulation) -> 8 (chunk 1 gone: released)
    // Expect 14 pages at most, 1 depopulation, 1 release.
    const run = new RunDepth(IN_PROCESS);
    const one = { blocks: [block(1, "partial", 1)] };
    run.observe(step({ before: stats(10), after: stats(14), view: one }));
    run.observe(step({ before: stats(14), after: stats(12), view: one }));
    run.observe(step({ before: stats(12), after: stats(8), view: { blocks: [] } }));
    expect(run.figures.pagesMax).toBe(14);
    expect(run.figures.depopulations).toBe(1);
    expect(run.figures.released).toBe(1);
  });

  it("measures how far into its unit an object reaches, from the view's offsets", () => {
    // One chunk, unit 32 KiB (stats: 32 KiB of unit per chunk):
    //   | o1 @0 (8 B) ....................... o2 @28672 (100 B) |   (the last page starts at 28672)
    // Expect after o1: offset 8/32768, no last page; after o2: (28672 + 100) / 32768, last page.
    const run = new RunDepth(IN_PROCESS);
    const o1 = object(0x10000, 8, [0, 1]);
    const o2 = object(0x10000 + 28672, 100, [0, 1]);
    const view = (objects: { ptr: number; block: number; offset: number }[]) => ({
      blocks: [block(1, "partial", objects.length)],
      objects,
    });
    run.observe(
      step({
        allocated: o1,
        after: stats(10, 0, UNIT),
        view: view([{ ptr: o1.ptr, block: 1, offset: 0 }]),
      }),
    );
    expect(run.figures.unitOffsetMax).toBeCloseTo(8 / UNIT, 6);
    expect(run.figures.lastPage).toBe(false);
    run.observe(
      step({
        allocated: o2,
        after: stats(10, 0, UNIT),
        view: view([
          { ptr: o1.ptr, block: 1, offset: 0 },
          { ptr: o2.ptr, block: 1, offset: 28672 },
        ]),
      }),
    );
    expect(run.figures.unitOffsetMax).toBeCloseTo((28672 + 100) / UNIT, 6);
    expect(run.figures.lastPage).toBe(true);
  });

  it("counts ENOMEM by the chunks held when it came", () => {
    // ENOMEM with 1 chunk, then twice with 2. Expect {1: 1, 2: 2}.
    const run = new RunDepth(IN_PROCESS);
    const with1 = { blocks: [block(1, "partial", 1)] };
    const with2 = { blocks: [block(1, "full", 2), block(2, "partial", 1)] };
    run.observe(step({ enomem: true, view: with1 }));
    run.observe(step({ enomem: true, view: with2 }));
    run.observe(step({ enomem: true, view: with2 }));
    expect([...run.figures.enomem]).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it("collects the slots the detail names, at the audits", () => {
    // detail.chunks slots [3, 12] at an audit, [7] at a step that is not one, [-1, 3] at an audit.
    // Expect slots 3 and 12 (7 was not an audit; -1 is no slot).
    const run = new RunDepth({ ...IN_PROCESS, slots: true });
    const view = (slots: number[]) => ({
      blocks: slots.map((_, i) => block(i, "partial", 1)),
      detail: { chunks: slots.map((slot) => ({ slot })) },
    });
    run.observe(step({ audit: true, view: view([3, 12]) }));
    run.observe(step({ enomem: false, allocated: object(1, 1, [0]), view: view([7]) }));
    run.observe(step({ audit: true, view: view([-1, 3]) }));
    expect([...run.figures.slots].sort((a, b) => a - b)).toEqual([3, 12]);
  });
});

describe("depth of a harness without inspect", () => {
  const HARNESS: DepthSetting = {
    possible: [0, 1],
    pageSize: PAGE,
    units: true,
    inspect: false,
    external: true,
  };

  it("counts chunks in use from the vm ranges of the copies", () => {
    // Two possible CPUs, chunks 256 MiB apart (the C example harness's slots):
    //   chunk A: | o1 o2 | o1 o2 |      chunk B: | o3 | o3 |
    // Expect 2 ranges; with o3 freed, 1.
    const A = 0x1_0000_0000;
    const B = A + 0x1000_0000;
    const o1 = object(A, 8, [0, 1]);
    const o2 = object(A + 64, 8, [0, 1]);
    const o3 = object(B + 16, 8, [0, 1]);
    expect(vmRanges([o1, o2, o3], 0).count).toBe(2);
    expect(vmRanges([o1, o2], 0).count).toBe(1);
    const run = new RunDepth(HARNESS);
    run.observe(step({ allocated: o1, liveObjects: () => [o1] }));
    run.observe(step({ allocated: o2, liveObjects: () => [o1, o2] }));
    run.observe(step({ allocated: o3, liveObjects: () => [o1, o2, o3] }));
    run.observe(step({ freed: true, liveObjects: () => [o1, o2] }));
    expect(run.figures.chunksMax).toBe(2);
    expect(run.figures.inUseMax).toBe(2);
  });

  it("takes one-copy objects less than a unit apart as one chunk", () => {
    // One possible CPU: | o1 @0 ... o2 @30000 |   ...   | o3 @ 1 MiB |
    // Expect 2 ranges with the gap of PCPU_MIN_UNIT_SIZE, 3 with none.
    const o1 = object(0x100000, 8, [0]);
    const o2 = object(0x100000 + 30000, 8, [0]);
    const o3 = object(0x200000, 8, [0]);
    expect(vmRanges([o1, o2, o3], 32768).count).toBe(2);
    expect(vmRanges([o1, o2, o3], 0).count).toBe(3);
  });

  it("reaches into the unit at least from the lowest copy of its range", () => {
    // Units of 32 KiB side by side (stride from o2's copies): on CPU 0, o1 at +0, o2 at
    // +30000 (500 bytes). Expect reach 30500 bytes, offset 30500/32768, the last page reached.
    const A = 0x1_0000_0000;
    const o1 = object(A, 8, [0, 1]);
    const o2 = object(A + 30000, 500, [0, 1]);
    expect(unitStride(o2)).toBe(UNIT);
    expect(vmRanges([o1, o2], 0, o2, 0).reach).toBe(30500);
    const run = new RunDepth(HARNESS);
    run.observe(step({ allocated: o1, liveObjects: () => [o1] }));
    run.observe(step({ allocated: o2, liveObjects: () => [o1, o2] }));
    expect(run.figures.unitOffsetMax).toBeCloseTo(30500 / UNIT, 6);
    expect(run.figures.lastPage).toBe(true);
  });

  it("counts a release where the vm space held shrinks", () => {
    // vm bytes 64 KiB -> 128 KiB -> 64 KiB (pages 10 -> 18 -> 10). Expect 1 release, 0
    // depopulations (the pages went with the chunk).
    const run = new RunDepth(HARNESS);
    run.observe(step({ before: stats(10, 65536), after: stats(18, 131072) }));
    run.observe(step({ before: stats(18, 131072), after: stats(10, 65536) }));
    expect(run.figures.released).toBe(1);
    expect(run.figures.depopulations).toBe(0);
  });
});

describe("depth of a check", () => {
  const CHUNKS: DepthKind = {
    grouping: "chunks",
    design: "bitmap-2017",
    external: false,
    inspect: true,
  };

  it("keeps one measure per run: a later round's replaces the earlier one", () => {
    // Round 1: run 0 reaches 2 live objects, run 1 stops at 1 (a failure); round 2: run 1
    // goes on to 5. Expect 2 runs, 5 live at most, and each run's ENOMEM counted once.
    const target = findTarget("bitmap-2017")!;
    const meter = new DepthMeter(target, new Set(["inspect"]));
    const config = {
      nrCpus: 8,
      possible: [0, 1],
      present: [0, 1],
      online: [0, 1],
      cpuToNode: [0, 0, 0, 0, 0, 0, 0, 0],
      nrNodes: 1,
      pageSize: PAGE,
    };
    const blocks = [block(1, "partial", 1)];
    meter.run(0, config).observe(step({ live: 2, enomem: true, view: { blocks } }));
    meter.run(1, config).observe(step({ live: 1 }));
    meter.run(0, config).observe(step({ live: 2, enomem: true, view: { blocks } }));
    meter.run(1, config).observe(step({ live: 5 }));
    const d = meter.summary();
    expect(d.runs).toBe(2);
    expect(d.live_max).toBe(5);
    expect(d.enomem).toEqual({ "1": 1 });
    expect(d.cpus_max).toBe(2);
  });

  it("judges each kind's goals and says which are not met", () => {
    // A run of 3 chunks, one full and released, an object in a unit's last page, a
    // depopulation, 1,000 live objects, 64 possible CPUs: every bitmap goal met. The same
    // run with 2 chunks in use: chunks-3 not met, and the text says so.
    const run = new RunDepth({ ...IN_PROCESS, possible: Array.from({ length: 64 }, (_, i) => i) });
    Object.assign(run.figures, {
      chunksMax: 3,
      inUseMax: 3,
      liveMax: 1000,
      fullChunks: 1,
      released: 1,
      fullReleased: 1,
      depopulations: 1,
      lastPage: true,
      unitOffsetMax: 0.99,
    });
    const deep = depthSummary(CHUNKS, [run.figures]);
    expect(deep.goals).toEqual({
      "chunks-3": true,
      "unit-last-page": true,
      "full-chunk-released": true,
      depopulated: true,
      "live-1000": true,
      "cpus-64": true,
    });
    expect(deep.goals_met).toBe(true);
    expect(depthLines(deep)[1]).toBe("  depth goals: all 6 met");
    run.figures.inUseMax = 2;
    const shallow = depthSummary(CHUNKS, [run.figures]);
    expect(shallow.goals["chunks-3"]).toBe(false);
    expect(shallow.goals_met).toBe(false);
    expect(depthLines(shallow)[1]).toBe(
      "  depth goals: 5 of 6 met; NOT MET: 3+ chunks in use at once (2)",
    );
  });

  it("gives 2.6.10 (no chunks) only the goals it can reach, and no unit offset", () => {
    // Expect goals live-1000 and cpus-64 only; unit offset, full chunks and depopulations null
    // (its pages come and go with kmalloc, no chunk); no chunk words in the text.
    const legacy: DepthKind = {
      grouping: undefined,
      design: "legacy",
      external: false,
      inspect: false,
    };
    const run = new RunDepth({ ...IN_PROCESS, units: false, inspect: false });
    run.observe(step({ live: 4, enomem: true }));
    const d = depthSummary(legacy, [run.figures]);
    expect(Object.keys(d.goals)).toEqual(["live-1000", "cpus-64"]);
    expect(d.unit_offset_max).toBeNull();
    expect(d.full_chunks).toBeNull();
    expect(d.depopulations).toBeNull();
    expect(depthLines(d)[0]).toBe(
      "  depth (1 run): 4 live objects, 10 pages held, 2 possible CPUs (0 offline), ENOMEM 1",
    );
  });
});
