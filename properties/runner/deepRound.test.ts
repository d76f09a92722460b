/**
 * Deep rounds (fixed seed): after the rounds pass, long runs of bulk steps judged by every
 * invariant that passed, reported apart; a short check makes none unless asked.
 */
import { describe, expect, it } from "vitest";
import { findTarget } from "../targets.ts";
import { checkTarget } from "./checkTarget.ts";
import { DEEP_MIN_RUNS, deepLine, deepRunsOf } from "./deepRound.ts";

describe("deep rounds", () => {
  it("run after the rounds, reach a thousand live objects, and are reported apart", () => {
    const target = findTarget("kiran-2005-01")!;
    const r = checkTarget(target, {
      seed: 20051,
      runs: 5,
      maxCommands: 20,
      model: false,
      deepRuns: 1,
    });
    expect(r.deep?.runs).toBe(1);
    // The ramp alone is 4 fills of 220 objects at least.
    expect(r.deep?.requests).toBeGreaterThanOrEqual(880);
    expect(r.deep?.steps).toBeLessThan(r.deep?.requests ?? 0);
    expect(r.depth?.live_max).toBeGreaterThanOrEqual(880);
    expect(deepLine(r.deep!)).toMatch(/^ {2}deep rounds: 1 run,/);
    // The declared failures only.
    for (const x of r.results.filter((x) => x.status === "fail")) expect(x.expected).toBe(true);
  });

  it("are made by a check of the default size, not by a short one", () => {
    expect(deepRunsOf({ runs: 200 })).toBe(3);
    expect(deepRunsOf({ runs: DEEP_MIN_RUNS - 1 })).toBe(0);
    expect(deepRunsOf({ runs: 15, deepRuns: 2 })).toBe(2);
    const short = checkTarget(findTarget("kiran-2005-01")!, {
      seed: 20051,
      runs: 5,
      maxCommands: 20,
      model: false,
    });
    expect(short.deep).toBeUndefined();
  });
});
