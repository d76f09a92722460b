/**
 * Every revision on the state-machine model: the shortest paths to every state and a tour of
 * every transition, then long random runs over the machine's events, with every invariant it
 * claims to keep (refinement among them where it offers `inspect`) judged after every event.
 * Expect 100% of states, transitions and guard outcomes covered and nothing broken.
 */
import { describe, expect, it } from "vitest";
import {
  capabilitiesOf,
  INVARIANTS,
  applicable,
  REVISION_TARGETS,
  runModelPaths,
  runModelRandom,
} from "../index.ts";

describe.each(REVISION_TARGETS.map((t) => [t.id, t] as const))("%s on the model", (_id, target) => {
  const caps = capabilitiesOf(target);
  const invariants = applicable(INVARIANTS, target).filter(
    (i) => target.knownViolations[i.id] === undefined && i.needs.every((c) => caps.has(c)),
  );

  it("judges refinement exactly when the target offers inspect and is of the 2005 design", () => {
    expect(invariants.some((i) => i.id === "refinement")).toBe(
      caps.has("inspect") && target.design === "kiran-2005",
    );
  });

  it("holds on every path, with 100% of states, transitions and guard outcomes", () => {
    const report = runModelPaths(target, invariants);
    expect(report.finding?.violation.message).toBeUndefined();
    const { states, transitions, guards, pairs } = report.coverage;
    expect(states[0]).toBe(states[1]);
    expect(transitions[0]).toBe(transitions[1]);
    expect(guards[0]).toBe(guards[1]);
    expect(pairs[0]).toBeGreaterThan(0);
    expect(report.missingGuards).toEqual([]);
  });

  it("holds on long random runs over the machine's events", () => {
    const r = runModelRandom(target, invariants, { seed: 20051, runs: 40, maxCommands: 200 });
    expect(r.finding?.violation.message).toBeUndefined();
    expect(r.commands).toBeGreaterThan(40 * 50);
  });
});
