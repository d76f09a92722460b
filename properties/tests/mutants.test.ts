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
  judgeMaterialized,
  replayEvents,
  reproduces,
  type Materialized,
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

/**
 * An interleaved counterexample: at most 3 threads and 12 sections, it fails again when its
 * threads run under its schedule, and with any one call left out (a thread of one call: the
 * thread) it does not.
 */
function expectMinimalSchedule(mutant: Target, id: string, ce: Counterexample): void {
  const il = ce.interleave!;
  expect(il.threads.length).toBeLessThanOrEqual(3);
  expect(il.schedule.length).toBeLessThanOrEqual(12);
  const fails = (threads: Materialized["threads"]) =>
    judgeMaterialized(
      mutant,
      { config: ce.config, setup: il.setup, ptrs: [], threads, schedule: il.schedule },
      new Set([id]),
    ).findings.some((f) => f.id === id);
  expect(fails(il.threads)).toBe(true);
  il.threads.forEach((t, ti) => {
    t.calls.forEach((_, ci) => {
      const fewer = il.threads
        .map((u, k) => (k === ti ? { ...u, calls: u.calls.filter((_, j) => j !== ci) } : u))
        .filter((u) => u.calls.length > 0);
      if (fewer.length > 0) expect(fails(fewer), `${t.name}'s call ${ci} is needed`).toBe(false);
    });
  });
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
      if (ce.interleave !== undefined) {
        expectMinimalSchedule(mutant, id, ce);
        continue;
      }
      if (id === "lock-order") {
        // Judged on the edges of all the concurrent runs together: the cycle, each edge named.
        expect(ce.message).toMatch(/^lock-order cycle (\S+ → )+\S+: /);
        continue;
      }
      expect(ce.steps.length).toBeLessThanOrEqual(8);
      const inv = findInvariant(id)!;
      expect(stillFails(mutant, ce, inv)).toBe(true);
      (ce.events ?? ce.steps).forEach((_, i) => {
        expect(stillFails(mutant, ce, inv, i), `step ${i} is needed`).toBe(false);
      });
    }
  });
});
