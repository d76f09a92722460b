/**
 * Every mutant is caught by the invariant it names, with a counterexample of at most 8 steps
 * that is 1-minimal: removing any one step makes the replay pass.
 */
import { describe, expect, it } from "vitest";
import { checkTarget, findInvariant, MUTANT_TARGETS, reproduces, INVARIANTS } from "../index.ts";

describe("mutants", () => {
  it("every invariant but nr-cpus-independence has a mutant that must break it", () => {
    const covered = new Set(MUTANT_TARGETS.flatMap((m) => m.expected));
    const missing = INVARIANTS.map((i) => i.id).filter(
      (id) => !covered.has(id) && id !== "nr-cpus-independence",
    );
    expect(missing).toEqual([]);
  });

  it.each(MUTANT_TARGETS.map((m) => [m.id, m] as const))(
    "%s is caught minimally",
    (_id, mutant) => {
      const invariants = mutant.expected.map((id) => findInvariant(id)!);
      const report = checkTarget(mutant, { seed: 20051, runs: 200, maxCommands: 60, invariants });
      for (const id of mutant.expected) {
        const r = report.results.find((x) => x.invariant === id);
        expect(r?.status, `${mutant.id} should break ${id}`).toBe("fail");
        const ce = r?.counterexample;
        if (!ce) continue;
        expect(ce.steps.length).toBeLessThanOrEqual(8);
        const inv = findInvariant(id)!;
        expect(reproduces(mutant, ce.config, ce.steps, inv)).toBe(true);
        ce.steps.forEach((_, i) => {
          const without = ce.steps.filter((__, j) => j !== i);
          expect(reproduces(mutant, ce.config, without, inv), `step ${i} is needed`).toBe(false);
        });
      }
    },
  );
});
