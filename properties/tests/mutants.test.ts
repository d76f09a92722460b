/**
 * Every mutant is caught by the invariant it names, with a counterexample of at most 8 steps
 * that is 1-minimal: removing any one step (for refinement, any one machine event) makes the
 * replay pass.
 */
import { describe, expect, it } from "vitest";
import {
  applicable,
  checkTarget,
  findInvariant,
  INVARIANTS,
  MUTANT_TARGETS,
  REVISION_TARGETS,
  replayEvents,
  reproduces,
  type Counterexample,
  type Invariant,
  type Target,
} from "../index.ts";
import { findMutant } from "../../impl/mutants/index.ts";

/** Whether a counterexample (its steps, or its machine events for refinement) still fails. */
function stillFails(target: Target, ce: Counterexample, inv: Invariant, drop?: number): boolean {
  if (ce.events !== undefined) {
    const events = ce.events.filter((_, j) => j !== drop);
    return replayEvents(target, events, [inv]).violation?.invariant === inv.id;
  }
  return reproduces(
    target,
    ce.config,
    ce.steps.filter((_, j) => j !== drop),
    inv,
  );
}

describe("mutants", () => {
  it("every invariant but nr-cpus-independence has a mutant that must break it", () => {
    const covered = new Set(MUTANT_TARGETS.flatMap((m) => m.expected));
    // An invariant every revision it applies to fails by design (areamap-2009's
    // areamap-live-areas and areamap-populated) tells no mutant from its base.
    const separates = (i: Invariant) =>
      REVISION_TARGETS.some((t) => applicable([i], t).length > 0 && !(i.id in t.knownViolations));
    const missing = INVARIANTS.filter(separates)
      .map((i) => i.id)
      .filter((id) => !covered.has(id) && id !== "nr-cpus-independence");
    expect(missing).toEqual([]);
  });

  it("every mutant must break an invariant its revision keeps, so that its catch separates it", () => {
    const blind = MUTANT_TARGETS.filter((m) => {
      const base = REVISION_TARGETS.find((t) => t.id === m.revision)!;
      return m.expected.every((id) => id in base.knownViolations);
    }).map((m) => `${m.id}: ${m.expected.join(", ")}`);
    expect(blind).toEqual([]);
  });

  it("at least two mutants are caught only by refinement", () => {
    const only = MUTANT_TARGETS.filter(
      (m) => m.expected.length === 1 && m.expected[0] === "refinement",
    );
    expect(only.length).toBeGreaterThanOrEqual(2);
  });

  // A deep mutant (its `deep` depth goal) is caught only by runs that go deep: its
  // counterexample is as long as the depth needs (properties/tests/depthMutants.test.ts).
  const shallow = MUTANT_TARGETS.filter((m) => findMutant(m.id)?.deep === undefined);
  it.each(shallow.map((m) => [m.id, m] as const))("%s is caught minimally", (_id, mutant) => {
    const invariants = mutant.expected.map((id) => findInvariant(id)!);
    // The model's runs only where refinement must catch it: they are what judge it.
    const model = mutant.expected.includes("refinement");
    const report = checkTarget(mutant, {
      seed: 20051,
      runs: 200,
      maxCommands: 60,
      invariants,
      model,
    });
    for (const id of mutant.expected) {
      const r = report.results.find((x) => x.invariant === id);
      expect(r?.status, `${mutant.id} should break ${id}`).toBe("fail");
      const ce = r?.counterexample;
      if (!ce) continue;
      expect(ce.steps.length).toBeLessThanOrEqual(8);
      const inv = findInvariant(id)!;
      expect(stillFails(mutant, ce, inv)).toBe(true);
      (ce.events ?? ce.steps).forEach((_, i) => {
        expect(stillFails(mutant, ce, inv, i), `step ${i} is needed`).toBe(false);
      });
    }
  });
});
