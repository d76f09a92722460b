/**
 * The bulk steps on a real session (bitmap-2017, 4 possible CPUs, every invariant it keeps): a fill is one line of the
 * trace and k allocations judged as ordinary ones; a drain frees every j-th live object; a
 * split of either stands for the same requests; a counterexample file takes them, with the
 * names a fill makes.
 */
import { describe, expect, it } from "vitest";
import { findTarget } from "../../targets.ts";
import { applicable, INVARIANTS } from "../../invariants/index.ts";
import { parseCounterexample } from "../../runner/counterexampleFile.ts";
import { Session } from "../session.ts";
import type { Step } from "../step.ts";
import { drainOp } from "./drainOp.ts";
import { fillOp, type FillStep } from "./fillOp.ts";
import type { DrainStep } from "./drainOp.ts";

const CONFIG = {
  nrCpus: 8,
  possible: [0, 1, 2, 3],
  present: [0, 1, 2, 3],
  online: [0, 1, 2, 3],
  cpuToNode: [0, 0, 0, 0, 0, 0, 0, 0],
  nrNodes: 1,
  pageSize: 4096,
};
const target = () => findTarget("bitmap-2017")!;
/** Every invariant the revision is declared to keep. */
const kept = () =>
  applicable(INVARIANTS, target()).filter((i) => target().knownViolations[i.id] === undefined);
const FILL: FillStep = { op: "fill", count: 12, size: 24, align: 8, as: "o1" };

describe("fill and drain", () => {
  it("a fill is one step of the trace, its allocations judged by every invariant", () => {
    const session = new Session({ target: target(), config: CONFIG, invariants: kept() });
    expect(session.execute(FILL)).toBe(true);
    expect(session.trace).toEqual([FILL]);
    expect(session.model.liveObjects().map((o) => o.name)).toEqual(
      Array.from({ length: 12 }, (_, k) => `o${k + 1}`),
    );
    // Every allocation logged under the fill's index.
    expect(session.log.filter((e) => e.step === 0 && e.op === "alloc")).toHaveLength(12);
    session.execute({ op: "alloc", size: 8, align: 8, as: session.model.newNamePeek() });
    expect(session.trace.at(-1)).toMatchObject({ as: "o13" });
    session.finish();
  });

  it("a drain frees every j-th live object, oldest first, and is skipped with none live", () => {
    const session = new Session({ target: target(), config: CONFIG, invariants: kept() });
    const drain: DrainStep = { op: "drain", every: 3, count: 3 };
    expect(session.execute(drain)).toBe(false);
    session.execute(FILL);
    expect(session.execute(drain)).toBe(true);
    const live = session.model.liveObjects().map((o) => o.name);
    expect(live).toHaveLength(9);
    expect(live).not.toContain("o3");
    expect(live).not.toContain("o6");
    expect(live).not.toContain("o9");
    expect(live).toContain("o12");
    expect(session.trace).toHaveLength(2);
  });

  it("a split fill or drain stands for the same requests as the whole", () => {
    const liveAfter = (steps: Step[]) => {
      const session = new Session({ target: target(), config: CONFIG, invariants: kept() });
      for (const s of steps) session.execute(s);
      return session.model.liveObjects().map((o) => o.name);
    };
    const drain: DrainStep = { op: "drain", every: 2, count: 5 };
    const whole = liveAfter([FILL, drain]);
    const [a, b] = fillOp.bulk!.split(FILL, 5);
    const [c, d] = drainOp.bulk!.split(drain, 2);
    const [d1, d2] = drainOp.bulk!.split(d, 1);
    expect(liveAfter([a, b, c, d])).toEqual(whole);
    expect(liveAfter([a, b, c, d1, d2])).toEqual(whole);
    expect(whole).toEqual(["o1", "o3", "o5", "o7", "o9", "o11", "o12"]);
  });

  it("a counterexample file takes them, and knows the names a fill makes", () => {
    const file = (commands: unknown[]) =>
      JSON.stringify({
        schema: 1,
        target: { kind: "revision", id: "kiran-2005-09" },
        invariant: "no-overlap",
        message: "",
        expect: "fail",
        topology: {
          nr_cpus: 8,
          possible: [0, 1, 2, 3],
          present: [0, 1, 2, 3],
          online: [0, 1, 2, 3],
          cpu_to_node: [0, 0, 0, 0, 0, 0, 0, 0],
          nr_nodes: 1,
          page_size: 4096,
        },
        commands,
      });
    const ok = parseCounterexample(
      file([FILL, { op: "drain", every: 2, count: 3 }, { op: "free", obj: "o12" }]),
      "ok.json",
    );
    expect(ok.commands).toHaveLength(3);
    expect(() => parseCounterexample(file([FILL, { op: "free", obj: "o13" }]), "x.json")).toThrow(
      /names o13, which no earlier step makes/,
    );
    expect(() =>
      parseCounterexample(file([FILL, { op: "alloc", size: 8, align: 8, as: "o4" }]), "y.json"),
    ).toThrow(/o4 is made twice/);
  });
});
