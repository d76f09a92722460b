/**
 * Swarm configurations (fixed seed): runs drawn from a configuration leave kinds out, so that
 * runs of only allocations are common where the fixed mix almost never makes one; fills and
 * drains are in the mix; a deep run begins with its ramp of fills.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capabilitiesOf } from "../runner/checkTarget.ts";
import { findTarget } from "../targets.ts";
import { commandsArbitrary, swarmArbitrary, WHOLE_MIX } from "./index.ts";
import { DrainCommand } from "./drainCommand.ts";
import { FillCommand } from "./fillCommand.ts";
import { FreeCommand } from "./freeCommand.ts";

const target = findTarget("bitmap-2017")!;
const caps = capabilitiesOf(target);

/** A run's commands, out of fast-check's wrappers (`cmd`). */
function unwrapped(run: Iterable<unknown>): unknown[] {
  return [...run].map((c) => (c as { cmd?: unknown }).cmd ?? c);
}

describe("swarm configurations", () => {
  const runs = fc
    .sample(commandsArbitrary(target, caps, 60), { seed: 20051, numRuns: 300 })
    .map(unwrapped);

  it("makes runs of 20 commands or more that never free (the fixed mix: about 1 in 20)", () => {
    const long = runs.filter((r) => r.length >= 20);
    const noFree = long.filter(
      (r) => !r.some((c) => c instanceof FreeCommand || c instanceof DrainCommand),
    );
    expect(long.length).toBeGreaterThan(100);
    expect(noFree.length).toBeGreaterThan(long.length * 0.12);
  });

  it("draws fills and drains among the runs' commands", () => {
    expect(runs.some((r) => r.some((c) => c instanceof FillCommand))).toBe(true);
    expect(runs.some((r) => r.some((c) => c instanceof DrainCommand))).toBe(true);
  });

  it("draws the whole mix in some runs and kinds switched off in others", () => {
    const configs = fc.sample(swarmArbitrary(["a", "b", "c"]), { seed: 7, numRuns: 200 });
    expect(configs.filter((c) => c === WHOLE_MIX).length).toBeGreaterThan(20);
    expect(configs.filter((c) => c.off.length > 0).length).toBeGreaterThan(80);
    const kept = fc.sample(swarmArbitrary(["a", "fill"], ["fill"]), { seed: 7, numRuns: 200 });
    expect(kept.every((c) => !c.off.includes("fill"))).toBe(true);
  });

  it("begins every deep run with a ramp of fills", () => {
    const deep = fc
      .sample(commandsArbitrary(target, caps, 8, "deep"), { seed: 20051, numRuns: 20 })
      .map(unwrapped);
    for (const r of deep) {
      expect(r.slice(0, 4).every((c) => c instanceof FillCommand)).toBe(true);
    }
  });
});
