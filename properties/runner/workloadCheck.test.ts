/**
 * The workloads as checked runs: a workload's script as steps, a correct revision passing its
 * checked run, a deep mutant caught by one with a minimised counterexample that replays, and
 * the rows and failures checkTarget reports (fixed seeds).
 */
import { describe, expect, it } from "vitest";
import { findInvariant, INVARIANTS, applicable, type Invariant } from "../invariants/index.ts";
import { findTarget } from "../targets.ts";
import { findWorkload } from "../workloads/index.ts";
import { reproduces } from "./replay.ts";
import { checkTarget } from "./checkTarget.ts";
import {
  checkTargetWorkloads,
  workloadAuditEvery,
  workloadInvariants,
  workloadsFor,
} from "./workloadCheck.ts";
import { workloadBootConfig, workloadSteps, type CheckedWorkload } from "./workloadSteps.ts";

const SEED = 20051;

function scaled(id: string, objects: number): CheckedWorkload {
  const workload = findWorkload(id);
  if (workload === undefined) throw new Error(`no workload ${id}`);
  return { workload, objects, rounds: 1 };
}

function judgedOn(targetId: string): Invariant[] {
  const target = findTarget(targetId)!;
  return applicable(INVARIANTS, target).filter((i) => i.ownRuns === undefined);
}

describe("workload steps", () => {
  it("names key k o<k+1> and keeps the script's order", () => {
    const steps = workloadSteps([
      { name: "alloc-1", ops: [{ op: "alloc", key: 0, size: 4, align: 4 }] },
      { name: "free-1", ops: [{ op: "free", key: 0 }, { op: "reclaim" }] },
    ]);
    expect(steps).toEqual([
      { op: "alloc", size: 4, align: 4, as: "o1" },
      { op: "free", obj: "o1" },
      { op: "reclaim" },
    ]);
  });

  it("judges white-box invariants at the audits only, and leaves out chunk-lifecycle", () => {
    const ids = workloadInvariants(judgedOn("bitmap-2017")).map((i) => i.id);
    expect(ids).not.toContain("chunk-lifecycle");
    expect(ids).not.toContain("refinement");
    expect(ids).toContain("bitmap-chunk-hint");
    expect(ids).toContain("no-overlap");
    expect(workloadAuditEvery({})).toBe(256);
    expect(workloadAuditEvery({ auditEvery: 4 })).toBe(64);
  });

  it("runs every workload in-process and kiran-2005 alone on a harness", () => {
    expect(workloadsFor(findTarget("bitmap-2017")!).map((w) => w.workload.id)).toEqual([
      "kiran-2005",
      "counters",
      "zhou-2017",
      "kernel-mix",
    ]);
  });
});

describe("workloads as checked runs", () => {
  const settings = { seed: SEED, runs: 1, maxCommands: 1 };

  it("a correct revision passes its checked runs (bitmap-2017, kernel-mix of 300)", () => {
    const target = findTarget("bitmap-2017")!;
    const counter = { commands: 0, shrinkMs: 0 };
    const report = checkTargetWorkloads(target, judgedOn(target.id), settings, counter, undefined, [
      scaled("kernel-mix", 300),
    ]);
    expect(report.failures).toEqual([]);
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({ workload: "kernel-mix", status: "pass", steps: 600 });
    expect(counter.commands).toBe(600);
  });

  it("catches bitmap-unit-end-hint-kept with a 1-minimal counterexample that replays", () => {
    const target = findTarget("bitmap-unit-end-hint-kept")!;
    const inv = findInvariant("bitmap-chunk-hint")!;
    const counter = { commands: 0, shrinkMs: 0 };
    const report = checkTargetWorkloads(target, [inv], settings, counter, undefined, [
      scaled("kiran-2005", 2000),
    ]);
    const row = report.rows[0]!;
    expect(row).toMatchObject({ status: "fail", invariant: "bitmap-chunk-hint", minimal: true });
    const ce = row.counterexample!;
    expect(ce.config).toEqual(workloadBootConfig());
    expect(reproduces(target, ce.config, ce.steps, inv)).toBe(true);
    ce.steps.forEach((_, i) => {
      const without = ce.steps.filter((_, j) => j !== i);
      expect(reproduces(target, ce.config, without, inv), `step ${i} is needed`).toBe(false);
    });
    // The same run on the revision passes.
    const base = checkTargetWorkloads(
      findTarget("bitmap-2017")!,
      [inv],
      settings,
      counter,
      undefined,
      [scaled("kiran-2005", 2000)],
    );
    expect(base.rows[0]?.status).toBe("pass");
  });

  it("catches kiran-free-walk-bound only past 1,024 live objects (counters of 600: 900 live at most; of 1,100)", () => {
    const target = findTarget("kiran-free-walk-bound")!;
    const inv = findInvariant("completeness")!;
    const counter = { commands: 0, shrinkMs: 0 };
    const shallow = checkTargetWorkloads(target, [inv], settings, counter, undefined, [
      scaled("counters", 600),
    ]);
    expect(shallow.rows[0]?.status).toBe("pass");
    const deep = checkTargetWorkloads(target, [inv], settings, counter, undefined, [
      scaled("counters", 1100),
    ]);
    const row = deep.rows[0]!;
    expect(row).toMatchObject({ status: "fail", invariant: "completeness" });
    const ce = row.counterexample!;
    // 1,025 allocations, the oldest freed: nothing shorter breaks it.
    expect(ce.steps.filter((s) => s.op === "alloc").length).toBeGreaterThanOrEqual(1025);
    expect(reproduces(target, ce.config, ce.steps, inv)).toBe(true);
  });

  it("checkTarget reports a workload's failure as the invariant's, with the rows", () => {
    const target = findTarget("kiran-free-walk-bound")!;
    const report = checkTarget(target, {
      seed: SEED,
      runs: 20,
      maxCommands: 20,
      invariants: [findInvariant("completeness")!],
      model: false,
    });
    const r = report.results.find((x) => x.invariant === "completeness");
    expect(r?.status).toBe("fail");
    expect(report.workloads?.map((w) => [w.workload, w.status])).toEqual([
      ["kiran-2005", "fail"],
      ["counters", "not-checked"],
      ["zhou-2017", "not-checked"],
      ["kernel-mix", "not-checked"],
    ]);
    expect(report.depth?.live_max).toBeGreaterThanOrEqual(1000);
    const off = checkTarget(target, {
      seed: SEED,
      runs: 20,
      maxCommands: 20,
      invariants: [findInvariant("completeness")!],
      model: false,
      workloads: false,
    });
    expect(off.workloads).toBeUndefined();
    expect(off.results.find((x) => x.invariant === "completeness")?.status).toBe("pass");
  });
});
