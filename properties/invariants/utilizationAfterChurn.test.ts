/**
 * utilization-after-churn on hand-made workloads, its shrinking, and its place in a check.
 *
 * kiran-2005-09's block is 8 KiB per CPU (unit bytes 8192 a block); objects of 3000 bytes go two
 * to a block, objects of 4096 bytes fill one with two:
 *
 *   2 x 3000, free 1, refill 2:   alloc-1  [o0 o1 ....]          6000 / 8192  = 73.24%
 *                                 free-1   [o0 ...... ]          3000 / 8192  = 36.62%  (trough)
 *                                 refill-1 [o0 o2 ....][o3 ....] 9000 / 16384 = 54.93%  < 98%
 *
 *   4 x 4096, free 2, refill 4:   alloc-1  [o0 o1][o2 o3]        100%
 *                                 free-1   two halves, or one block freed and released
 *                                 refill-1 the holes first, then new blocks: 6 objects in 3
 *                                          full blocks, 100%
 *
 * Expect the first to break at refill-1 with 54.93% and its trough 36.62% reported beside it,
 * the second to hold; the thread's own experiment (kiran-2005, seed 20051) to hold after one
 * round (98.07%) and break after the second (96.66%), as BENCHMARKS.md measured; a failing
 * workload on legacy-2.6.10 (75% whatever it is) to shrink to the simplest one; a check at a
 * fixed seed to shrink to a workload none of whose genes can be made simpler; a target that
 * reports no unit bytes to be not-checked, and an external harness to be left out of the plan
 * unless --churn asks.
 */
import { describe, expect, it } from "vitest";
import type { PercpuAllocator } from "../../impl/index.ts";
import type { Target } from "../engine/target.ts";
import { checkChurn, shrinkChurn } from "../runner/churnCheck.ts";
import { planCheck } from "../runner/selection.ts";
import type { RunCounter } from "../runner/checkTarget.ts";
import { findTarget } from "../targets.ts";
import {
  churnParamsOf,
  churnShrinkTargets,
  type ChurnGenes,
  type ChurnParams,
} from "../workloads/churnRounds.ts";
import { kiran2005Workload } from "../workloads/kiran2005.ts";
import { churnPhases } from "../workloads/churnRounds.ts";
import { churnUnitBytes, runChurn, utilizationAfterChurn } from "./utilizationAfterChurn.ts";

const kiran = findTarget("kiran-2005-09") as Target;
const legacy = findTarget("legacy-2.6.10") as Target;

const handMade = (objects: number, size: number): ChurnParams => ({
  seed: 1,
  objects,
  size: [size, size],
  align_log2_max: 0,
  free_percent: 50,
  rounds: 1,
});

describe("utilization-after-churn on hand-made workloads", () => {
  it("breaks at refill-1 when 3000-byte objects leave a quarter of every block empty", () => {
    const o = runChurn(kiran, handMade(2, 3000), 0.98);
    expect(o.figures.after_alloc).toBeCloseTo(6000 / 8192, 10);
    expect(o.figures.rounds).toEqual([
      { round: 1, after_free: 3000 / 8192, after_refill: 9000 / 16384, blocks: 2 },
    ]);
    expect(o.violation).toMatch(/^2 objects of 3000\.\.3000 bytes, align 1, 50% freed, 1 round/);
    expect(o.violation).toContain(
      "refill-1: utilization 54.93% < 98.00% (9000 live bytes in 16384 unit bytes; 36.62% right after free-1)",
    );
  });

  it("holds when the refill fills every hole and whole blocks", () => {
    const o = runChurn(kiran, handMade(4, 4096), 0.98);
    expect(o.violation).toBeUndefined();
    expect(o.figures.rounds).toHaveLength(1);
    expect(o.figures.rounds[0]?.after_refill).toBe(1);
    expect([0.5, 1]).toContain(o.figures.rounds[0]?.after_free);
  });

  it("an allocator that raises in a churn run fails it with the oops, not an internal error", () => {
    // bitmap-third-chunk-unmoved leaves a third chunk in use on a stale slot; the balance
    // work then takes pages from under its objects and a later zeroing faults.
    const mutant = findTarget("bitmap-third-chunk-unmoved") as Target;
    const o = runChurn(mutant, handMade(64, 4096), 0.98);
    expect(o.violation).toMatch(/^the workload could not run: the allocator raised MachineError: /);
  });

  it("the threshold is a parameter: the 54.93% refill holds at 50%", () => {
    expect(runChurn(kiran, handMade(2, 3000), 0.5).violation).toBeUndefined();
  });

  it("the thread's experiment holds after one round and breaks after the second", () => {
    const thread = (rounds: number): ChurnParams => ({
      seed: 20051,
      objects: 2000,
      size: [4, 4096],
      align_log2_max: 5,
      free_percent: 50,
      rounds,
    });
    // The same script as the kiran-2005 workload, phase for phase.
    expect(churnPhases(thread(2))).toEqual(
      kiran2005Workload.build({ seed: 20051, objects: 2000, rounds: 2 }),
    );
    const one = runChurn(kiran, thread(1), 0.98);
    expect(one.violation).toBeUndefined();
    expect(one.figures.rounds[0]?.after_refill).toBeGreaterThanOrEqual(0.98);
    const two = runChurn(kiran, thread(2), 0.98);
    expect(two.violation).toMatch(/refill-2: utilization 96\.\d\d% < 98\.00%/);
    expect(two.figures.rounds.map((r) => r.round)).toEqual([1, 2]);
  });
});

describe("shrinking to the simplest workload", () => {
  const counter = (): RunCounter => ({ commands: 0, shrinkMs: 0 });

  it("legacy-2.6.10, under 98% whatever the workload, shrinks every gene to its simplest", () => {
    const scope = { maxSize: legacy.maxSize, unitBytes: churnUnitBytes(legacy) };
    const failing: ChurnGenes = {
      extra: 25,
      rounds: 4,
      align_log2_max: 5,
      hi: 3000,
      lo: 60,
      free_percent: 70,
      seed: 123,
    };
    const judge = (g: ChurnGenes) => runChurn(legacy, churnParamsOf(g, scope), 0.98);
    const [genes, outcome] = shrinkChurn(failing, judge, scope);
    expect(genes).toEqual({
      extra: 0,
      rounds: 1,
      align_log2_max: 0,
      hi: 4096,
      lo: 4,
      free_percent: 50,
      seed: 0,
    });
    expect(outcome.violation).toMatch(/refill-1: utilization 7\d\.\d\d% < 98\.00%/);
  });

  it("a check at a fixed seed shrinks kiran-2005-09's failure to a workload none of whose genes can be made simpler", () => {
    const r = checkChurn(
      kiran,
      utilizationAfterChurn,
      { seed: 20051, runs: 200, maxCommands: 60 },
      counter(),
    );
    expect(r).toMatchObject({ status: "fail", expected: true });
    const churn = r.counterexample?.churn;
    if (churn === undefined) throw new Error("expected a churn counterexample");
    const w = churn.workload;
    // The round that broke is the last one.
    expect(churn.figures.rounds).toHaveLength(w.rounds);
    expect(churn.figures.rounds.at(-1)?.after_refill).toBeLessThan(0.98);
    expect(r.counterexample?.message).toContain(`refill-${w.rounds}: utilization`);
    // Every earlier refill held.
    for (const round of churn.figures.rounds.slice(0, -1)) {
      expect(round.after_refill).toBeGreaterThanOrEqual(0.98);
    }
    // 1-minimal: each gene is at its simplest, or making it so (or cutting a round) passes.
    const scope = { maxSize: kiran.maxSize, unitBytes: 8192 };
    const genes: ChurnGenes = {
      extra: 0,
      rounds: w.rounds,
      align_log2_max: w.align_log2_max,
      hi: w.size[1],
      lo: w.size[0],
      free_percent: w.free_percent,
      seed: w.seed,
    };
    expect(churnParamsOf(genes, scope)).toEqual(w);
    for (const [name, simplest] of churnShrinkTargets(scope)) {
      if (genes[name] === simplest) continue;
      const simpler = churnParamsOf({ ...genes, [name]: simplest }, scope);
      expect(runChurn(kiran, simpler, 0.98).violation, name).toBeUndefined();
    }
  });
});

describe("where the property is judged", () => {
  it("a target that reports no unit bytes is not-checked", () => {
    const silent: Target = {
      ...kiran,
      id: "no-unit-bytes",
      create: (): PercpuAllocator => {
        const a = kiran.create();
        const stats = a.stats.bind(a);
        a.stats = () => {
          const s = stats();
          return s.ok ? { ...s, value: { ...s.value, unitBytes: 0 } } : s;
        };
        return a;
      },
    };
    const r = checkChurn(
      silent,
      utilizationAfterChurn,
      { seed: 1, runs: 50, maxCommands: 60 },
      {
        commands: 0,
        shrinkMs: 0,
      },
    );
    expect(r).toMatchObject({ status: "not-checked", runs: 0 });
    expect(r.reason).toMatch(/reports no unit bytes/);
  });

  it("is planned on in-process targets, and on an external harness only with --churn", () => {
    const harness: Target = { ...kiran, id: "external:h", kind: "external" };
    const off = planCheck([kiran, harness], [utilizationAfterChurn]);
    expect(off.planned.map((u) => u.target.id)).toEqual(["kiran-2005-09"]);
    expect(off.notPlanned.map((n) => [n.target.id, n.remedy])).toEqual([["external:h", "--churn"]]);
    const on = planCheck([kiran, harness], [utilizationAfterChurn], { churn: true });
    expect(on.planned.map((u) => u.target.id)).toEqual(["kiran-2005-09", "external:h"]);
    const none = planCheck([kiran], [utilizationAfterChurn], { churn: false });
    expect(none.planned).toEqual([]);
  });

  it("a unit too large for the scale is not-checked, with the figures", () => {
    const huge: Target = { ...kiran, id: "huge-unit", unitBytes: 1 << 20 };
    const r = checkChurn(
      huge,
      utilizationAfterChurn,
      { seed: 1, runs: 50, maxCommands: 60 },
      {
        commands: 0,
        shrinkMs: 0,
      },
    );
    expect(r).toMatchObject({ status: "not-checked" });
    expect(r.reason).toMatch(/a unit of 1048576 bytes needs batches of \d+ objects/);
  });
});
