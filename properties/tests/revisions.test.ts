/**
 * Every invariant on every revision, over several seeds: each passes, or fails only where the
 * revision's header says it does not hold; and every known violation is found, with a
 * counterexample that shows it.
 */
import { describe, expect, it, vi } from "vitest";
import {
  applicable,
  checkTarget,
  INVARIANTS,
  REVISION_TARGETS,
  replaySteps,
  runChurn,
  findInvariant,
} from "../index.ts";

const SEEDS = [1, 2, 3];
// Shrinking a known violation with every invariant judged (nr-cpus-independence on
// legacy-2.6.10 and kiran-2005-09) can take tens of seconds per seed on a loaded 2-core machine.
vi.setConfig({ testTimeout: 180_000 });

describe.each(REVISION_TARGETS.map((t) => [t.id, t] as const))("%s", (_id, target) => {
  it.each(SEEDS)("keeps every invariant it claims to keep (seed %i)", (seed) => {
    const report = checkTarget(target, { seed, runs: 40, maxCommands: 50, model: false });
    expect(report.results.map((r) => r.invariant)).toEqual(
      applicable(INVARIANTS, target).map((i) => i.id),
    );
    for (const r of report.results) {
      const known = target.knownViolations[r.invariant];
      if (r.invariant === "refinement") {
        // Judged only on the model's runs (model.test.ts); without them, or without inspect.
        expect(r.status).toBe("not-checked");
        continue;
      }
      if (known === undefined) {
        expect({
          invariant: r.invariant,
          status: r.status,
          message: r.counterexample?.message,
        }).toEqual({
          invariant: r.invariant,
          status: "pass",
          message: undefined,
        });
      } else if (r.status !== "pass") {
        // A known violation is what the design does not keep, not what 40 short runs must
        // reach: one that needs a longer run (areamap-2009's completeness needs a write to the
        // neighbour after the populate bug) may pass at one seed. Found, it is the expected
        // failure with its reason; that each one is found is the next test's.
        expect({ status: r.status, expected: r.expected, reason: r.reason }).toEqual({
          status: "fail",
          expected: true,
          reason: known,
        });
      }
    }
    expect(report.commands).toBeGreaterThan(100);
  });

  it("shows each known violation with a replayable counterexample", () => {
    const report = checkTarget(target, { seed: 7, runs: 40, maxCommands: 50, model: false });
    for (const [id, why] of Object.entries(target.knownViolations)) {
      const r = report.results.find((x) => x.invariant === id);
      expect(r?.status).toBe("fail");
      expect(r?.reason).toBe(why);
      const ce = r?.counterexample;
      expect(ce).toBeDefined();
      if (!ce) continue;
      if (ce.churn !== undefined) {
        // Judged on churn rounds: the counterexample is the workload, run again.
        expect(runChurn(target, ce.churn.workload, ce.churn.threshold).violation).toBe(ce.message);
        continue;
      }
      const again = replaySteps(target, ce.config, ce.steps, [findInvariant(id)!]);
      expect(again.violation?.invariant).toBe(id);
    }
  });
});
