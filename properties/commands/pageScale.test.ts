/** Page-scale commands: only for a target that declares its unit, after the whole mix. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Session } from "../engine/session.ts";
import { findTarget } from "../targets.ts";
import { AllocCommand } from "./allocCommand.ts";
import { commandArbitrary } from "./index.ts";
import { pageScaleCommands, unitCrossesPageTable } from "./pageScale.ts";
import type { PopulationFailCommand } from "./populationFailCommand.ts";
import { PopulationFailCommand as Fail } from "./populationFailCommand.ts";
import { ReclaimCommand } from "./reclaimCommand.ts";

const base = findTarget("bitmap-2017")!;
const caps = new Set(base.create().hello().capabilities);

describe("page-scale commands", () => {
  it("are none for a target that declares no unit, so its runs are the mix's alone", () => {
    expect(base.unitBytes).toBeUndefined();
    expect(pageScaleCommands(base, caps)).toEqual([]);
  });

  it("draw objects of two pages up to the declared unit (capped at the largest size), and reclaim", () => {
    const small = { ...base, unitBytes: 32768, maxSize: 32768 };
    const [alloc, reclaim] = pageScaleCommands(small, new Set([...caps, "reclaim" as const]));
    const sizes = fc
      .sample(alloc!.arbitrary, { seed: 7, numRuns: 200 })
      .map((c) => (c as AllocCommand).size);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(8192);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(32768);
    expect(fc.sample(reclaim!.arbitrary, { seed: 7, numRuns: 1 })[0]).toBeInstanceOf(
      ReclaimCommand,
    );
    const large = pageScaleCommands({ ...small, unitBytes: 2 << 20 }, caps)[0]!;
    const capped = fc.sample(large.arbitrary, { seed: 7, numRuns: 200 });
    expect(Math.max(...capped.map((c) => (c as AllocCommand).size))).toBeLessThanOrEqual(32768);
  });

  it("make the mix draw more objects above a page", () => {
    const above = (t: typeof base) =>
      fc
        .sample(commandArbitrary(t, caps), { seed: 3, numRuns: 2000 })
        .filter((c) => c instanceof AllocCommand && c.size > 8192).length;
    expect(above({ ...base, unitBytes: 32768 })).toBeGreaterThan(2 * above(base));
  });

  it("add the largest object and one failure per population only for a unit that crosses a page-table boundary", () => {
    const withFaults = new Set([...caps, "fail_page_alloc" as const]);
    const noFaults = new Set([...caps].filter((c) => c !== "fail_page_alloc"));
    const n = pageScaleCommands({ ...base, unitBytes: 32768 }, withFaults).length;
    for (const unit of [32768, 2 << 20, 4 << 20]) {
      expect(unitCrossesPageTable(unit)).toBe(false);
      const t = { ...base, unitBytes: unit, maxSize: 32768 };
      expect(pageScaleCommands(t, withFaults)).toHaveLength(n);
    }
    const crossing = { ...base, unitBytes: 2080768, maxSize: 32768 };
    expect(unitCrossesPageTable(2080768)).toBe(true);
    expect(pageScaleCommands(crossing, noFaults)).toHaveLength(n);
    expect(pageScaleCommands(crossing, withFaults)).toHaveLength(n + 2);
    const [largest, fail] = pageScaleCommands(crossing, withFaults).slice(n);
    const sizes = fc.sample(largest!.arbitrary, { seed: 7, numRuns: 20 });
    expect(new Set(sizes.map((c) => (c as AllocCommand).size))).toEqual(new Set([32768]));
    const fails = fc.sample(fail!.arbitrary, { seed: 7, numRuns: 200 }) as PopulationFailCommand[];
    expect(new Set(fails.map((c) => c.pages))).toEqual(new Set([8]));
    expect(Math.min(...fails.map((c) => c.extra))).toBe(0);
    expect(Math.max(...fails.map((c) => c.extra))).toBe(16);
    // Resolved against the boot: 8 pages on each of 2 possible CPUs, then the 9th allocation.
    const one = new Fail(8, 8);
    expect(one.check({ running: true, model: { possible: [0, 1] } } as unknown as Session)).toBe(
      true,
    );
    expect(one.toString()).toBe("fail_page_alloc(after 24, count 1)");
  });
});
