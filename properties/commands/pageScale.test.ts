/** Page-scale commands: only for a target that declares its unit, after the whole mix. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findTarget } from "../targets.ts";
import { AllocCommand } from "./allocCommand.ts";
import { commandArbitrary } from "./index.ts";
import { pageScaleCommands } from "./pageScale.ts";
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
});
