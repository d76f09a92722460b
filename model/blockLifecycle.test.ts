/**
 * blockMachine is what the 2005 design's blocks are checked against: the kiran revisions'
 * blocks follow its lifecycle on random runs, and refinement judges it on the model's runs.
 */
import { describe, expect, it } from "vitest";
import type { PercpuAllocator } from "../impl/index.ts";
import type { Step } from "../properties/engine/step.ts";
import type { Target } from "../properties/engine/target.ts";
import { kiranBlockLifecycle } from "../properties/invariants/blockLifecycle.ts";
import type { Invariant } from "../properties/invariants/invariant.ts";
import { refinement } from "../properties/invariants/refinement.ts";
import { checkTarget } from "../properties/runner/checkTarget.ts";
import { replaySteps } from "../properties/runner/replay.ts";
import { findTarget } from "../properties/targets.ts";
import { BlockLifecycle } from "./blockLifecycle.ts";

const lifecycle: Invariant = {
  id: "block-lifecycle",
  title: "each block follows blockMachine",
  source: "model/blockMachine.ts",
  cost: "one inspect per step",
  needs: ["inspect"],
  designs: ["kiran-2005"],
  afterStep: kiranBlockLifecycle,
};

const block = (state: string, objects: [number, number][]) => ({
  id: 1,
  state,
  objects: new Map(objects),
});

describe("BlockLifecycle", () => {
  it("follows a block from reserve to release", () => {
    const t = new BlockLifecycle(2);
    const live = new Set([10, 20]);
    expect(t.observe([block("partial", [[10, 1]])], (a) => live.has(a))).toBeUndefined();
    expect(
      t.observe(
        [
          block("full", [
            [10, 1],
            [20, 1],
          ]),
        ],
        (a) => live.has(a),
      ),
    ).toBeUndefined();
    live.clear();
    expect(t.observe([], (a) => live.has(a))).toBeUndefined();
  });

  it("refuses a block released while it holds a live object", () => {
    const t = new BlockLifecycle(2);
    t.observe([block("partial", [[10, 1]])], () => true);
    expect(t.observe([], () => true)).toBe(
      "block 1: block.release is refused by the block lifecycle in state partial (1 of 2 units used)",
    );
  });

  it("refuses an object that does not fit", () => {
    const t = new BlockLifecycle(2);
    expect(t.observe([block("full", [[10, 3]])], () => true)).toBe(
      "block 1: obj.alloc(3) is refused by the block lifecycle in state empty (0 of 2 units used)",
    );
  });
});

describe("the kiran revisions' blocks", () => {
  it.each(["kiran-2005-09", "kiran-2005-01"])("%s follows blockMachine on random runs", (id) => {
    const report = checkTarget(findTarget(id)!, {
      seed: 11,
      runs: 40,
      maxCommands: 50,
      model: false,
      invariants: [lifecycle],
    });
    expect(report.results.map((r) => [r.invariant, r.status])).toEqual([
      ["block-lifecycle", "pass"],
    ]);
    expect(report.commands).toBeGreaterThan(500);
  });

  it("a block shown partial when it is full breaks it", () => {
    const base = findTarget("kiran-2005-09")!;
    const lying: Target = {
      ...base,
      id: "full-shown-partial",
      create(): PercpuAllocator {
        const a = base.create();
        return new Proxy(a, {
          get(target, key, receiver) {
            if (key !== "inspect") return Reflect.get(target, key, receiver) as unknown;
            return () => {
              const v = target.inspect();
              if (!v.ok) return v;
              const blocks = v.value.blocks.map((b) =>
                b.state === "full" ? { ...b, state: "partial" as const } : b,
              );
              return { ok: true, value: { ...v.value, blocks, detail: v.value.detail } };
            };
          },
        });
      },
    };
    const steps: Step[] = [{ op: "alloc", size: 8192, align: 8, as: "o1" }];
    const config = {
      nrCpus: 8,
      possible: [0, 1],
      present: [0, 1],
      online: [0, 1],
      cpuToNode: [0, 0, 0, 0, 0, 0, 0, 0],
      nrNodes: 1,
      pageSize: 4096,
    };
    expect(replaySteps(base, config, steps, [lifecycle]).violation).toBeUndefined();
    expect(replaySteps(lying, config, steps, [lifecycle]).violation?.detail).toMatch(
      /^block \d+ is partial, the block lifecycle has it full/,
    );
  });

  it("is a conjunct of refinement", () => {
    expect(refinement.conjuncts).toEqual(["abstraction", "block_lifecycle"]);
  });
});
