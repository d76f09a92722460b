/**
 * Metrics on the revisions.
 *
 *   kiran-2005-09, 8 KiB blocks, objects interlaced:   | CPU 0 slice | CPU 1 slice | ...
 *   legacy-2.6.10, one kmalloc per CPU per object behind an NR_CPUS pointer array
 *
 * Expect kiran-2005-09 to land near the 2005 thread's table on kiran-2005 (98.7% in 504 blocks,
 * 54.8% in 458, 98.2% in 772), 2000 counters to fill one block, no memory load per deref
 * against legacy's one, vmalloc at NR_CPUS 512 to fill after 31 blocks, and legacy's memory to
 * grow with NR_CPUS through its pointer arrays.
 */
import { describe, expect, it } from "vitest";
import { findTarget } from "../targets.ts";
import { findWorkload, gushchin2021Workload, kiran2005Workload } from "../workloads/index.ts";
import type { Target } from "../engine/target.ts";
import { reviewMetrics } from "../review/reviewMetrics.ts";
import {
  kernelMs,
  measureTarget,
  metricsBootConfig,
  readWork,
  runWorkload,
  workPerOp,
} from "./index.ts";

const target = (id: string): Target => findTarget(id) ?? expect.unreachable(`no target ${id}`);
const kiran = target("kiran-2005-09");
const legacy = target("legacy-2.6.10");

describe("the 2005 table on kiran-2005-09", () => {
  const phases = kiran2005Workload.build({ seed: 20051, objects: 2000, rounds: 1 });
  const run = runWorkload(kiran, phases, { boot: metricsBootConfig(8) });
  const by = (name: string) => run.phases.find((p) => p.name === name) ?? expect.unreachable(name);

  it("after 2000 allocations: about 98.7% in about 504 blocks", () => {
    expect(by("alloc-1").utilization).toBeGreaterThan(0.98);
    expect(by("alloc-1").utilization).toBeLessThan(0.995);
    expect(by("alloc-1").blocks).toBeGreaterThanOrEqual(495);
    expect(by("alloc-1").blocks).toBeLessThanOrEqual(510);
  });

  it("right after the random frees: about 54.8% in about 458 blocks", () => {
    expect(by("free-1").utilization).toBeGreaterThan(0.5);
    expect(by("free-1").utilization).toBeLessThan(0.6);
    expect(by("free-1").blocks).toBeGreaterThanOrEqual(445);
    expect(by("free-1").blocks).toBeLessThanOrEqual(470);
  });

  it("after the refill: about 98.2% in about 772 blocks", () => {
    expect(by("refill-1").utilization).toBeGreaterThan(0.97);
    expect(by("refill-1").blocks).toBeGreaterThanOrEqual(750);
    expect(by("refill-1").blocks).toBeLessThanOrEqual(790);
  });

  it("live and unit bytes are the figures the utilization is made of", () => {
    for (const p of run.phases) {
      expect(p.unit_bytes).toBe((p.blocks ?? 0) * 8192);
      expect(p.utilization).toBeCloseTo(p.live_bytes / p.unit_bytes, 3);
    }
  });
});

describe("metrics of one target", () => {
  it("counters: 2000 4-byte objects fill one 8 KiB block (8000 of 8192 bytes)", () => {
    const w = findWorkload("counters") ?? expect.unreachable("counters");
    const run = runWorkload(kiran, w.build({ seed: 1, objects: 2000, rounds: 1 }), {
      boot: metricsBootConfig(8),
    });
    expect(run.phases[0]).toMatchObject({ blocks: 1, live_bytes: 8000, unit_bytes: 8192 });
  });

  const small = { seed: 20051, objects: 120, growthMax: 100 };
  const k = measureTarget(kiran, kiran2005Workload, small);
  const l = measureTarget(legacy, kiran2005Workload, small);

  it("memory loads per per_cpu_ptr: legacy 1, kiran 0", () => {
    expect(l.metrics.mem_refs_per_deref).toBe(1);
    expect(k.metrics.mem_refs_per_deref).toBe(0);
  });

  it("128 MiB of vmalloc at NR_CPUS 512 holds 31 kiran blocks; legacy uses none", () => {
    // Each block reserves 512 x 8 KiB + 21 management pages + a guard page.
    expect(k.metrics.vmalloc_128m_at_512).toMatchObject({ blocks: 31, vmalloc_full: true });
    expect(l.metrics.vmalloc_128m_at_512).toMatchObject({ vm_bytes: 0, vmalloc_full: false });
  });

  it("NR_CPUS 512 with the same possible CPUs: legacy's pointer arrays grow 64-fold", () => {
    const m = l.metrics;
    expect(m.nr_cpus_512.meta_bytes).toBeGreaterThan(30 * m.nr_cpus_8.meta_bytes);
    expect(m.nr_cpus_512.pages).toBeGreaterThan(m.nr_cpus_8.pages);
    expect(k.metrics.nr_cpus_512.vm_bytes).toBeGreaterThan(30 * k.metrics.nr_cpus_8.vm_bytes);
  });

  it("scratch: valloc_percpu's on-stack pages[] is 15 pointers at NR_CPUS 8, 19 at 512", () => {
    expect(k.metrics.scratch_bytes).toBe(15 * 8);
    expect(k.metrics.nr_cpus_512.scratch_bytes).toBe(19 * 8);
    expect(l.metrics.scratch_bytes).toBeNull();
  });

  it("interlacing: kiran touches fewer pages per CPU than one kmalloc per copy", () => {
    expect(k.metrics.pages_touched_per_cpu).toBeLessThan(l.metrics.pages_touched_per_cpu);
  });

  it("kiran's data pages are high memory, legacy's are all low memory", () => {
    expect(k.metrics.pages_high).toBeGreaterThan(0);
    expect(l.metrics.pages_high).toBe(0);
  });

  it("work grows with live objects: kiran's sort compares more at 100 live than at 10", () => {
    const [at10, at100] = k.metrics.work_growth;
    expect(at10?.live).toBe(10);
    expect(at100?.alloc?.comparisons).toBeGreaterThan(at10?.alloc?.comparisons ?? Infinity);
  });

  it("the same seed measures the same; the flat list names every phase's utilization", () => {
    expect(measureTarget(kiran, kiran2005Workload, small)).toEqual(k);
    const names = reviewMetrics(k, kiran.design).map((f) => f.label);
    expect(names).toContain("utilization after alloc-1");
    expect(names).toContain("comparisons per alloc at 100 live");
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("work counters", () => {
  it("are read from an in-process revision and absent from anything else", () => {
    const a = kiran.create();
    expect(readWork(a)).toMatchObject({ comparisons: 0, loopIterations: 0, bitsScanned: 0 });
    expect(readWork({ ...a, work: { comparisons: "x" } } as never)).toBeUndefined();
    expect(workPerOp(undefined, readWork(a), 3)).toBeNull();
    expect(
      workPerOp(
        { comparisons: 0, loopIterations: 0, bitsScanned: 0 },
        { comparisons: 3, loopIterations: 6, bitsScanned: 128 },
        3,
      ),
    ).toEqual({ comparisons: 1, loop_iterations: 2, bits_scanned: 42.667, bitmap_words: 0.667 });
  });
});

describe("a harness's work counters (stats `work`) and the reclaim phase", () => {
  /** An allocator that answers only `stats`, with these counters. */
  const counting = (work: { bitmapCalls: number; bitmapWords: number; kernelNs?: number }) =>
    ({
      stats: () => ({
        ok: true,
        value: {
          pagesByNode: [0],
          unitBytes: 0,
          metaBytes: 0,
          vmBytes: 0,
          memRefsPerDeref: 1,
          work,
        },
      }),
    }) as never;

  it("are read from stats when the allocator keeps no work record, as calls and words per op", () => {
    const before = readWork(counting({ bitmapCalls: 10, bitmapWords: 20, kernelNs: 1_000_000 }));
    const after = readWork(counting({ bitmapCalls: 16, bitmapWords: 32, kernelNs: 4_000_000 }));
    expect(before).toEqual({ bitmapCalls: 10, bitmapWords: 20, kernelNs: 1_000_000 });
    expect(workPerOp(before, after, 3)).toEqual({ bitmap_calls: 2, bitmap_words: 4 });
    expect(kernelMs(before, after)).toBe(3);
    expect(kernelMs(readWork(kiran.create()), after)).toBeUndefined();
  });

  it("a phase of `reclaim` runs the deferred work; the counts are the same for the same seed", () => {
    const script = gushchin2021Workload.build({ seed: 20051, objects: 110, rounds: 1 });
    const bitmap = target("bitmap-2017");
    const run = runWorkload(bitmap, script, { boot: metricsBootConfig(8) });
    expect(run.phases.map((p) => p.name)).toEqual(["alloc-1", "free-1", "reclaim-1"]);
    const pages = run.phases.map((p) => p.pages.reduce((a, z) => a + z.low + z.high, 0));
    // bitmap-2017 runs its worker when a free schedules it: the mass free already depopulated.
    expect(pages[1]).toBeLessThan((pages[0] as number) / 2);
    expect(pages[2]).toBeLessThanOrEqual(pages[1] as number);
    expect(runWorkload(bitmap, script, { boot: metricsBootConfig(8) }).phases).toEqual(run.phases);
  });
});
