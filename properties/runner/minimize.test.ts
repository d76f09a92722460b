/**
 * The minimiser on a synthetic failure (no allocator): it removes what single steps it can, then
 * pairs of steps that only matter together, and its answer is 1-minimal.
 *
 *   steps:    r0  r1  r2  r3  r4        (five reclaims, told apart by position)
 *   failure:  r4 present, and r1 and r2 both present or both absent
 *
 * Expect r1 and r2 to go together (neither can go alone), r0 and r3 to go alone: [r4].
 */
import { describe, expect, it } from "vitest";
import type { Step } from "../engine/step.ts";
import { minimizeWith, type Trial } from "./minimize.ts";

const steps: Step[] = [0, 1, 2, 3, 4].map(() => ({ op: "reclaim" }) as Step);

function trialOf(present: (i: number, kept: readonly Step[]) => boolean) {
  return (kept: readonly Step[]): Trial => {
    const has = (i: number) => present(i, kept);
    const reproduces = has(4) && has(1) === has(2);
    return { reproduces, ran: kept.map((_, k) => k), stepIndex: reproduces ? kept.length - 1 : -1 };
  };
}

describe("minimizeWith", () => {
  const identity = (i: number, kept: readonly Step[]) => kept.includes(steps[i] as Step);

  it("removes a pair of steps that only matter together, and the answer is 1-minimal", () => {
    const trial = trialOf(identity);
    const out = minimizeWith(steps, trial);
    expect(out).toHaveLength(1);
    expect(trial(out).reproduces).toBe(true);
    for (let i = 0; i < out.length; i++) {
      expect(trial(out.filter((_, j) => j !== i)).reproduces).toBe(false);
    }
  });

  it("without the pair pass the single pass would stop at three steps", () => {
    // The same failure, where r1 and r2 are each needed: what single removals leave.
    const trial = trialOf(identity);
    const single = [steps[1], steps[2], steps[4]] as Step[];
    for (let i = 0; i < single.length; i++) {
      expect(trial(single.filter((_, j) => j !== i)).reproduces).toBe(false);
    }
    expect(minimizeWith(single, trial)).toHaveLength(1);
  });
});

/** A synthetic failure of bulk steps: every step runs, the last is the failing one. */
function counting(fails: (kept: readonly Step[]) => boolean) {
  let trials = 0;
  const trial = (kept: readonly Step[]): Trial => {
    trials++;
    const reproduces = fails(kept);
    return { reproduces, ran: kept.map((_, k) => k), stepIndex: reproduces ? kept.length - 1 : -1 };
  };
  return { trial, trials: () => trials };
}

const filled = (kept: readonly Step[]) =>
  kept.reduce((n, s) => n + (s.op === "fill" ? s.count : s.op === "alloc" ? 1 : 0), 0);

describe("minimizeWith on bulk steps", () => {
  it("lowers a fill's count to the least that fails: no step removable, no count lowerable", () => {
    // Fails with 5 objects allocated and a reclaim last.
    const fails = (kept: readonly Step[]) => kept.at(-1)?.op === "reclaim" && filled(kept) >= 5;
    const { trial } = counting(fails);
    const out = minimizeWith(
      [
        { op: "fill", count: 40, size: 8, align: 8, as: "o1" },
        { op: "reclaim" },
        { op: "fill", count: 3, size: 8, align: 8, as: "o41" },
        { op: "reclaim" },
      ],
      trial,
    );
    expect(out).toEqual([{ op: "fill", count: 5, size: 8, align: 8, as: "o1" }, { op: "reclaim" }]);
    expect(fails(out)).toBe(true);
    expect(fails([{ op: "fill", count: 4, size: 8, align: 8, as: "o1" }, { op: "reclaim" }])).toBe(
      false,
    );
  });

  it("splits off a fill's first objects when only a later one matters, down to one allocation", () => {
    // Fails while some step makes o30 (the 30th object of the fill).
    const fails = (kept: readonly Step[]) =>
      kept.some((s) =>
        s.op === "fill"
          ? Number(s.as.slice(1)) <= 30 && Number(s.as.slice(1)) + s.count > 30
          : s.op === "alloc" && s.as === "o30",
      );
    const { trial } = counting(fails);
    const out = minimizeWith([{ op: "fill", count: 64, size: 24, align: 8, as: "o1" }], trial);
    // The one allocation, renamed o1.
    expect(out).toEqual([{ op: "alloc", size: 24, align: 8, as: "o1" }]);
  });

  it("removes runs of steps: a trace of 3,000 steps minimises in a few hundred trials", () => {
    const long: Step[] = Array.from({ length: 3000 }, (_, i) =>
      i === 1234
        ? ({ op: "fill", count: 2, size: 8, align: 8, as: "o1" } as Step)
        : ({ op: "reclaim" } as Step),
    );
    const fails = (kept: readonly Step[]) => filled(kept) >= 1 && kept.length >= 1;
    const { trial, trials } = counting(fails);
    const out = minimizeWith(long, trial);
    expect(out).toEqual([{ op: "alloc", size: 8, align: 8, as: "o1" }]);
    // The single pass alone takes a trial per step (3,000 and more).
    expect(trials()).toBeLessThan(300);
  });
});
