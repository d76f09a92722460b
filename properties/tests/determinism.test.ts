/** One seed drives every random choice: the same seed gives the same results. */
import { describe, expect, it } from "vitest";
import { checkTarget, findTarget } from "../index.ts";

describe("determinism", () => {
  it.each(["kiran-2005-09", "kiran-free-extra-bit"])("%s: same seed, same results", (id) => {
    const target = findTarget(id)!;
    const run = () => {
      const r = checkTarget(target, { seed: 99, runs: 30, maxCommands: 40, model: false });
      return { results: r.results, commands: r.commands };
    };
    expect(run()).toEqual(run());
  });

  it("another seed explores other runs", () => {
    const target = findTarget("kiran-2005-09")!;
    const a = checkTarget(target, { seed: 1, runs: 30, maxCommands: 40, model: false }).commands;
    const b = checkTarget(target, { seed: 2, runs: 30, maxCommands: 40, model: false }).commands;
    expect(a).not.toBe(b);
  });
});
