/**
 * alloc's extensions: `gfp` and `reserved` in the step's JSON form, what they need of the
 * target, and their generators, drawn only for targets that offer them (so that an in-process
 * target draws the runs it drew before).
 */
import { describe, expect, it } from "vitest";
import type { Capability } from "../../../impl/index.ts";
import { ALL_TARGETS, findTarget } from "../../targets.ts";
import type { Target } from "../target.ts";
import { describeStep, stepSchema } from "../step.ts";
import { allocOp } from "./allocOp.ts";
import { opGenerators } from "./index.ts";

const AREA = { start: 0x37000, size: 8192, granule: 4 };

describe("alloc's gfp and reserved", () => {
  it("the step form takes one of atomic, gfp and reserved, and describes it", () => {
    const noio = { op: "alloc", size: 24, align: 8, gfp: "noio", as: "o1" } as const;
    const reserved = { op: "alloc", size: 24, align: 8, reserved: true, as: "o2" } as const;
    expect(stepSchema.safeParse(noio).success).toBe(true);
    expect(stepSchema.safeParse(reserved).success).toBe(true);
    expect(describeStep(noio)).toBe("alloc(24, 8, noio) -> o1");
    expect(describeStep(reserved)).toBe("alloc(24, 8, reserved) -> o2");
    expect(stepSchema.safeParse({ ...reserved, atomic: true }).success).toBe(false);
    expect(stepSchema.safeParse({ ...noio, reserved: true }).success).toBe(false);
    expect(stepSchema.safeParse({ ...noio, gfp: "kernel" }).success).toBe(false);
  });

  it("needs the capability it names", () => {
    expect(allocOp.needsOf?.({ op: "alloc", size: 1, align: 1, gfp: "nofs", as: "o1" })).toEqual([
      "gfp",
    ]);
    expect(allocOp.needsOf?.({ op: "alloc", size: 1, align: 1, reserved: true, as: "o1" })).toEqual(
      ["reserved"],
    );
    expect(allocOp.needsOf?.({ op: "alloc", size: 1, align: 1, as: "o1" })).toEqual([]);
  });

  it("no in-process target draws them: its generators are those of before", () => {
    const all = new Set<Capability>(["cpu_add", "cpu_remove", "fail_page_alloc", "reclaim"]);
    for (const t of ALL_TARGETS) expect(opGenerators(t, all)).toHaveLength(1); // read's
  });

  it("a target with the capabilities draws them, reserved ones only with a declared area", () => {
    const base = findTarget("bitmap-2017") as Target;
    const withArea: Target = { ...base, reservedArea: AREA };
    const caps = new Set<Capability>(["gfp", "reserved"]);
    // gfp's alloc, then read's; reserved needs the area.
    expect(opGenerators(base, caps).map((g) => g.weight)).toEqual([2, 1]);
    // gfp's and reserved's allocs, reserved's frees, read's.
    expect(opGenerators(withArea, caps).map((g) => g.weight)).toEqual([2, 6, 3, 1]);
  });
});
