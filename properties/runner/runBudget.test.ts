/**
 * What ends a long run between two of its requests (fixed seeds; no wall clock: the time limit
 * is reached on a clock the test moves, after a count of requests).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PercpuAllocator } from "../../impl/index.ts";
import { clearStop, requestStop } from "../../impl/stop.ts";
import type { Target } from "../engine/target.ts";
import { findInvariant, type Invariant } from "../invariants/index.ts";
import { runChurn } from "../invariants/utilizationAfterChurn.ts";
import { findTarget } from "../targets.ts";
import { checkTarget } from "./checkTarget.ts";
import { churnCheckpoint, WorkBudgetExceeded } from "./runBudget.ts";

/** A target whose allocators call `onAlloc` with the allocations each has made so far. */
function counting(base: Target, onAlloc: (made: number) => void): Target {
  return {
    ...base,
    create: (): PercpuAllocator => {
      const a = base.create();
      let made = 0;
      const alloc = a.alloc.bind(a);
      a.alloc = (size, align, options) => {
        onAlloc(++made);
        return alloc(size, align, options);
      };
      return a;
    },
  };
}

/** Past the ramp's first fill (220 objects at least): only a deep run gets there. */
const IN_A_DEEP_RUN = 300;
const invariants = ["completeness", "no-overlap"].map((id) => findInvariant(id) as Invariant);

/**
 * kiran-2005-01 on a clock that stands still until its `at`-th allocation, then is an hour on:
 * `start` is the clock before, `after()` the allocations asked once it moved.
 */
function lateAfter(at: number): { start: number; target: Target; after: () => number } {
  const start = Date.now();
  let late = false;
  let after = 0;
  vi.spyOn(Date, "now").mockImplementation(() => (late ? start + 3_600_000 : start));
  const target = counting(findTarget("kiran-2005-01")!, (made) => {
    if (late) after++;
    if (made === at) late = true;
  });
  return { start, target, after: () => after };
}

afterEach(() => {
  clearStop();
  vi.restoreAllMocks();
});

describe("a long run ends between two requests", () => {
  it("at a stop request raised inside a deep run's fill", () => {
    let after = 0;
    let stopped = false;
    const target = counting(findTarget("kiran-2005-01")!, (made) => {
      if (stopped) after++;
      if (made === IN_A_DEEP_RUN) {
        requestStop(2);
        stopped = true;
      }
    });
    const r = checkTarget(target, {
      seed: 20051,
      runs: 5,
      maxCommands: 20,
      model: false,
      workloads: false,
      deepRuns: 1,
      invariants,
    });
    expect(r.stopped).toBe(2);
    // The allocation that raised it completes; no other is asked.
    expect(after).toBe(0);
    // The rounds' verdicts stay; nothing is taken for a finding.
    expect(r.results.map((x) => x.status)).toEqual(["pass", "pass"]);
  });

  it("at the time limit, reached inside a deep run's fill: the rounds' pass is kept", () => {
    const { start, target, after } = lateAfter(IN_A_DEEP_RUN);
    const r = checkTarget(target, {
      seed: 20051,
      runs: 5,
      maxCommands: 20,
      model: false,
      workloads: false,
      deepRuns: 3,
      deadline: start + 60_000,
      invariants,
    });
    expect(after()).toBe(0);
    expect(r.stopped).toBeUndefined();
    expect(r.results.map((x) => x.status)).toEqual(["pass", "pass"]);
  });

  it("at the time limit, reached inside a workload: that workload and the rest are not-checked", () => {
    const { start, target, after } = lateAfter(500);
    const r = checkTarget(target, {
      seed: 20051,
      runs: 5,
      maxCommands: 20,
      model: false,
      deepRuns: 0,
      deadline: start + 60_000,
      invariants,
    });
    expect(after()).toBe(0);
    const rows = r.workloads ?? [];
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.every((w) => w.status === "not-checked" && w.reason === "the time limit")).toBe(
      true,
    );
    expect(r.results.map((x) => x.status)).toEqual(["pass", "pass"]);
  });
});

describe("a churn run's work budget", () => {
  const churn = findInvariant("utilization-after-churn") as Invariant;

  it("ends a churn run of an allocator that takes a block per object, unjudged", () => {
    let requests = 0;
    const target = counting(findTarget("kiran-skip-tail-run")!, () => requests++);
    const r = checkTarget(target, { seed: 20051, runs: 50, maxCommands: 20, invariants: [churn] });
    const row = r.results[0]!;
    expect(row.status).toBe("not-checked");
    expect(row.reason).toMatch(/work passed the budget of 2,000,000,000 units/);
    // Before the budget, one churn run of this mutant was over 10,000 requests, each walking
    // every block; with it the run ends within its first batch.
    expect(requests).toBeLessThan(4_000);
  });

  it("is far above a revision's churn run, and ends it when set low", () => {
    const target = findTarget("kiran-2005-09")!;
    const params = {
      seed: 45042,
      objects: 2000,
      size: [4, 4096] as const,
      align_log2_max: 0,
      free_percent: 50,
      rounds: 1,
    };
    const none = () => {};
    expect(runChurn(target, params, 0.9, churnCheckpoint(none)).violation).toBeUndefined();
    expect(() => runChurn(target, params, 0.9, churnCheckpoint(none, 1_000_000))).toThrow(
      WorkBudgetExceeded,
    );
  });
});
