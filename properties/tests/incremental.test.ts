/**
 * The incremental checks (each step judges what it could have changed, with a full audit every
 * 16 steps and at the end of the run) and the full audit of every step reach the same verdicts:
 * the same runs, the same invariants failing, on every revision and every mutant.
 *
 *   step:        1   2   3  ...  16  17 ... end
 *   incremental  s   s   s       A   s       A      s: the step's scope, A: full audit
 *   full         A   A   A       A   A       A
 *
 * Expect every invariant's status to be equal under both, and the failing ones to have been
 * found on a run of the same seed.
 */
import { describe, expect, it } from "vitest";
import { ALL_TARGETS, checkTarget, type Target } from "../index.ts";

const settings = { seed: 20051, runs: 100, maxCommands: 60, model: false } as const;

function verdicts(target: Target, auditEvery: number): Record<string, string> {
  const report = checkTarget(target, { ...settings, auditEvery });
  return Object.fromEntries(report.results.map((r) => [r.invariant, r.status]));
}

describe("incremental checks agree with a full audit of every step", () => {
  it.each(ALL_TARGETS.map((t) => [t.id, t] as const))("%s", (_id, target) => {
    const full = verdicts(target, 1);
    expect(verdicts(target, 16)).toEqual(full);
    // A mutant fails somewhere under both (the kill matrix says which invariant).
    if (target.kind === "mutant") expect(Object.values(full)).toContain("fail");
  });
});
