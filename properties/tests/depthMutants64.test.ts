/**
 * The default check catches bitmap-unit-mask-wraps, whose bug shows only with 64 possible CPUs
 * or more. Expected to pass once the check's topologies reach 64 possible CPUs (the generator's
 * 12-CPU ceiling at fast-check's default size, BENCHMARKS "Depth reached by the default check";
 * fixed by the generator's deeper runs); it fails before that, as the depth report's unmet
 * cpus-64 goal says.
 */
import { describe, expect, it } from "vitest";
import { checkTarget, findInvariant, findTarget, reproduces, type Target } from "../index.ts";

describe("the 64-CPU depth mutant", () => {
  it("bitmap-unit-mask-wraps is caught by the default check (seed 20051)", () => {
    const target = findTarget("bitmap-unit-mask-wraps") as Target;
    const noOops = findInvariant("no-oops")!;
    const report = checkTarget(target, {
      seed: 20051,
      runs: 200,
      maxCommands: 60,
      invariants: [noOops],
      model: false,
    });
    const r = report.results.find((x) => x.invariant === "no-oops");
    expect(r?.status).toBe("fail");
    const ce = r!.counterexample!;
    expect(ce.config.possible.length).toBeGreaterThanOrEqual(64);
    expect(reproduces(target, ce.config, ce.steps, noOops)).toBe(true);
  });
});
