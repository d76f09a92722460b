/**
 * minimizeSteps on a real revision: a bulk step of one becomes the step it ran, whatever state
 * that step needed to be named (a drain's free names the object it found live).
 *
 *   fill(4 × 8 B) o1..o4 · alloc(40 B) o5 · fill(3 × 8 B) o6..o8 · drain(every 1, 8)
 *   failure: the 40-byte object freed by a step of the trace
 *
 * Expect the fills to go, the drain's count to fall to 1, and that drain of one to become the
 * free it ran: `alloc(40) -> o1`, `free(o1)`. No bulk step is left in the answer.
 */
import { describe, expect, it } from "vitest";
import type { Step } from "../engine/step.ts";
import type { Invariant } from "../invariants/index.ts";
import { bootConfig } from "../../impl/revisions/testing.ts";
import { findTarget } from "../targets.ts";
import { minimizeSteps } from "./minimize.ts";

const CONFIG = bootConfig();

/** Breaks when a step of the trace (not the teardown) frees the 40-byte object. */
const freesTheBigOne: Invariant = {
  id: "frees-the-big-one",
  title: "a synthetic failure",
  source: "this test",
  cost: "O(1)",
  needs: [],
  afterStep: (ctx) =>
    ctx.step.op === "free" && !ctx.implicit && ctx.record?.size === 40 ? "freed it" : undefined,
};

describe("minimizeSteps", () => {
  it("turns a drain of one into the free it ran", () => {
    const target = findTarget("kiran-2005-09") ?? expect.unreachable("kiran-2005-09");
    const steps: Step[] = [
      { op: "fill", count: 4, size: 8, align: 8, as: "o1" },
      { op: "alloc", size: 40, align: 8, as: "o5" },
      { op: "fill", count: 3, size: 8, align: 8, as: "o6" },
      { op: "drain", every: 1, count: 8 },
    ];
    expect(minimizeSteps(target, CONFIG, steps, freesTheBigOne)).toEqual([
      { op: "alloc", size: 40, align: 8, as: "o1" },
      { op: "free", obj: "o1" },
    ]);
  });
});
