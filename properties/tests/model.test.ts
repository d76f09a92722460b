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
  checkModel,
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

/**
 * `check --time-limit` stops the model's round too, between walks: a deadline already passed
 * runs no walk. Expect the round to say it was interrupted, so that refinement, judged only
 * there, is not reported as passed.
 */
describe("the model's round under a time limit", () => {
  const target = REVISION_TARGETS.find((t) => t.id === "kiran-2005-09");
  if (target === undefined) throw new Error("kiran-2005-09 is a revision");
  const invariants = applicable(INVARIANTS, target).filter(
    (i) => target.knownViolations[i.id] === undefined,
  );
  const passed = Date.now() - 1;

  it("runs no walk after the deadline and says so", () => {
    const report = runModelPaths(target, invariants, passed);
    expect(report.interrupted).toBe(true);
    expect(report.walks).toBe(0);
    expect(report.commands).toBe(0);
  });

  it("ends the whole model check as interrupted", () => {
    const report = checkModel(target, invariants, { seed: 20051, runs: 5, deadline: passed });
    expect(report.interrupted).toBe(true);
    expect(report.failures.size).toBe(0);
  });

  it("is not interrupted without a deadline", () => {
    const report = runModelPaths(target, invariants.slice(0, 1));
    expect(report.interrupted).toBeUndefined();
    expect(report.walks).toBeGreaterThan(0);
  });
});
