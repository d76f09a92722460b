/**
 * The differential check on in-process targets: identical revisions agree, a placement mutant
 * differs with a 1-minimal counterexample naming its first differing field, and the comparison
 * judges only the aspects asked for and only the fields both sides give.
 */
import { describe, expect, it } from "vitest";
import { findTarget, type Target } from "../index.ts";
import { COMPARE_ASPECTS, compareViews, type CompareAspect } from "./compareViews.ts";
import { replayDiff, runDiff } from "./diffTargets.ts";
import type { SideView } from "./sideView.ts";

const ALL = new Set<CompareAspect>(COMPARE_ASPECTS);
const target = (id: string) => findTarget(id) as Target;
const settings = { seed: 20051, runs: 60, maxCommands: 60, aspects: ALL };

function view(over: Partial<SideView>): SideView {
  return { outcome: "ok", places: new Map(), pagesByNode: [4], ...over };
}

describe("compareViews", () => {
  it("names the first differing field, outcome before placement before accounting", () => {
    const a = view({ places: new Map([["o1", { block: "#1", offset: 8 }]]), pagesByNode: [4] });
    const b = view({ places: new Map([["o1", { block: "#1", offset: 16 }]]), pagesByNode: [5] });
    expect(compareViews(a, b, ALL)?.field).toBe("o1.offset");
    expect(compareViews(a, b, new Set(["accounting"]))?.field).toBe("pages_by_node[0]");
    expect(compareViews(a, { ...b, outcome: "-ENOMEM" }, ALL)?.field).toBe("outcome");
    expect(compareViews(a, b, new Set(["outcomes", "lists"]))).toBeUndefined();
  });

  it("leaves out a field one side does not give", () => {
    const a = view({ places: new Map([["o1", { block: "#1", pageOffset: 8 }]]), blocks: 2 });
    const b = view({ places: new Map([["o1", { pageOffset: 8 }]]) });
    expect(compareViews(a, b, ALL)).toBeUndefined();
    const c = view({ places: new Map([["o1", { pageOffset: 12 }]]) });
    expect(compareViews(a, c, ALL)?.field).toBe("o1.page_offset");
  });
});

describe("runDiff", () => {
  it("bitmap-2017 against itself: they agree on every step of every run", () => {
    const r = runDiff(target("bitmap-2017"), target("bitmap-2017"), settings);
    expect(r.counterexample).toBeUndefined();
    expect(r.runs).toBe(60);
    expect(r.steps).toBeGreaterThan(600);
  });

  it("bitmap-scan-hint-kept against bitmap-2017: an object's place differs, 1-minimal", () => {
    const base = target("bitmap-2017");
    const head = target("bitmap-scan-hint-kept");
    const ce = runDiff(base, head, { ...settings, runs: 200 }).counterexample;
    if (ce === undefined) throw new Error("no difference found");
    // A stale scan hint sends the search elsewhere: the object lands at another offset, or in
    // another chunk when the search passes over the free area. The unit layout is the same.
    expect(ce.difference.aspect).toBe("placement");
    expect(ce.difference.field).toMatch(/^o\d+\.(block|offset)$/);
    const steps = ce.steps ?? [];
    expect(steps.length).toBeLessThanOrEqual(8);
    expect(ce.stepIndex).toBe(steps.length - 1);
    const again = replayDiff(base, head, ce.config, steps, ALL);
    expect(again.found?.difference.field).toBe(ce.difference.field);
    // No single step can go with the placement difference still there.
    for (let i = 0; i < steps.length; i++) {
      const without = steps.filter((_, j) => j !== i);
      const r = replayDiff(base, head, ce.config, without, ALL);
      expect(r.found?.difference.aspect, `without step ${i}`).not.toBe("placement");
    }
  });

  it("outcomes only: where a placement mutant places an object elsewhere, it is not judged", () => {
    const base = target("bitmap-2017");
    const head = target("bitmap-scan-hint-kept");
    const placed = runDiff(base, head, { ...settings, runs: 200 }).counterexample;
    if (placed === undefined) throw new Error("no difference found");
    expect(placed.difference.aspect).toBe("placement");
    // The same steps, outcomes alone: every answer agrees, the place is not looked at.
    const outcomes = new Set<CompareAspect>(["outcomes"]);
    const replayed = replayDiff(base, head, placed.config, placed.steps, outcomes);
    expect(replayed.found).toBeUndefined();
    expect(replayed.ran).toHaveLength(placed.steps.length);
    // Generated runs may still find an answer that differs (at this seed an atomic allocation
    // the mutant refuses and the revision grants): if so, it is an outcome, the only aspect.
    const r = runDiff(base, head, { ...settings, aspects: outcomes });
    expect(r.counterexample?.difference.aspect ?? "outcomes").toBe("outcomes");
  });
});
