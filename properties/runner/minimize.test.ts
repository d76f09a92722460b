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
