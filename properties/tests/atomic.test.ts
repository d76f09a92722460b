/**
 * Atomic requests (docs/protocol.md `alloc` with `atomic: true`, __alloc_percpu_gfp(GFP_ATOMIC)):
 * a design that serves them from populated pages only may fail one with memory to spare.
 *
 *   boot: bitmap-2017 has no chunk, nothing is populated
 *   alloc(8, 8, atomic)  ->  ENOMEM ("atomic alloc failed"), the worker runs and populates
 *   alloc(8, 8, atomic)  ->  ok, from the pages the worker populated
 *
 * Expect completeness to accept the first ENOMEM on bitmap-2017 (atomicFromPopulated), to
 * report it on the same design declared otherwise, and failure-atomicity and no-leak to hold
 * with the worker's pages counted against the retained pool.
 */
import { describe, expect, it } from "vitest";
import {
  ENOMEM_SWEEP_CONFIG,
  findInvariant,
  findTarget,
  replaySteps,
  Session,
  type Step,
  type Target,
} from "../index.ts";

const STEPS: Step[] = [
  { op: "alloc", size: 8, align: 8, atomic: true, as: "o1" },
  { op: "alloc", size: 8, align: 8, atomic: true, as: "o2" },
];

const judged = ["completeness", "failure-atomicity", "no-leak"].map((id) => findInvariant(id)!);

describe("an atomic allocation on bitmap-2017", () => {
  const bitmap = findTarget("bitmap-2017")!;

  it("may fail with ENOMEM where the design serves atomic requests from populated pages", () => {
    expect(bitmap.atomicFromPopulated).toBe(true);
    const run = replaySteps(bitmap, ENOMEM_SWEEP_CONFIG, STEPS, judged);
    expect(run.violation).toBeUndefined();
    expect(run.session.log.map((l) => l.error)).toEqual([
      "ENOMEM", // no populated page yet
      undefined, // the worker populated after the failure
      undefined, // teardown: free o2
      undefined, // teardown: reclaim
    ]);
  });

  it("spends its name even when it fails, so a trace never makes one name twice", () => {
    const session = new Session({
      target: bitmap,
      config: ENOMEM_SWEEP_CONFIG,
      invariants: judged,
    });
    const first = session.model.newNamePeek();
    session.execute({ op: "alloc", size: 8, align: 8, atomic: true, as: first });
    expect(session.log.at(-1)?.error).toBe("ENOMEM");
    const second = session.model.newNamePeek();
    expect(second).not.toBe(first);
    session.execute({ op: "alloc", size: 8, align: 8, atomic: true, as: second });
    expect(session.model.liveObjects().map((o) => o.name)).toEqual([second]);
  });

  it("is a false ENOMEM for completeness on a design declared to serve it like any other", () => {
    const strict: Target = { ...bitmap, id: "bitmap-strict-atomic", atomicFromPopulated: false };
    const run = replaySteps(strict, ENOMEM_SWEEP_CONFIG, STEPS, judged);
    expect(run.violation?.invariant).toBe("completeness");
    expect(run.violation?.message).toContain("no injected failure pending");
  });
});
