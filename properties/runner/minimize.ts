/**
 * Makes a failing trace 1-minimal: no single step can be removed with the violation still
 * there (and, for a short trace, no pair of steps either). fast-check's shrinker already removes commands; this pass works on the resolved
 * steps (where a removed allocation also takes its later uses with it) and then renames the
 * objects o1, o2, ... in the order they are made.
 */
import type { BootConfig } from "../../impl/index.ts";
import { opOf } from "../engine/ops/index.ts";
import type { Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import type { Invariant } from "../invariants/index.ts";
import { replaySteps } from "./replay.ts";

/** Counterexamples up to this many steps also get a pass removing two steps at a time. */
const PAIR_PASS_MAX = 16;

/** One replay of candidate steps, as the minimiser sees it. */
export interface Trial {
  /** The failure is still there (the same one). */
  readonly reproduces: boolean;
  /** Index in the candidate of each step that ran. */
  readonly ran: readonly number[];
  /** Index among the steps that ran of the failing one; -1 for the end of the run. */
  readonly stepIndex: number;
}

/**
 * Removes steps one at a time while `trial` says the failure stays; keeps only steps that run,
 * and renames the objects. Any failure check serves: one invariant (`minimizeSteps`), or a
 * difference between two targets (properties/diff).
 */
export function minimizeWith(
  steps: readonly Step[],
  trial: (steps: readonly Step[]) => Trial,
): Step[] {
  const first = trial(steps);
  let current = first.ran.map((i) => steps[i] as Step);
  // Steps after the failing one never ran to any effect: drop them.
  if (first.reproduces && first.stepIndex >= 0) current = current.slice(0, first.stepIndex + 1);
  /** Tries the candidate without the steps at `drop`; keeps it if the failure stays. */
  const without = (drop: ReadonlySet<number>): boolean => {
    const candidate = current.filter((_, j) => !drop.has(j));
    const again = trial(candidate);
    if (!again.reproduces) return false;
    current = again.ran.map((k) => candidate[k] as Step);
    if (again.stepIndex >= 0) current = current.slice(0, again.stepIndex + 1);
    return true;
  };
  for (;;) {
    // Passes until no single step can go: a removal can make an earlier step removable too.
    for (let removed = true; removed;) {
      removed = false;
      for (let i = 0; i < current.length;) {
        if (without(new Set([i]))) removed = true;
        else i++;
      }
    }
    // Then pairs, for a short trace: two steps that only matter together (two small objects
    // whose offsets shift a later one) go where neither goes alone. The result is still
    // 1-minimal: the single pass runs again after any pair goes.
    if (current.length > PAIR_PASS_MAX) break;
    let pair = false;
    for (let i = 0; i < current.length && !pair; i++) {
      for (let j = i + 1; j < current.length && !pair; j++) pair = without(new Set([i, j]));
    }
    if (!pair) break;
  }
  return renameObjects(current);
}

/** Removes steps one at a time while the violation stays; keeps only steps that run. */
export function minimizeSteps(
  target: Target,
  config: BootConfig,
  steps: readonly Step[],
  invariant: Invariant,
  /** Invariants judged beside it, for what they observe (a no-oops failure's observers). */
  observers: readonly Invariant[] = [],
): Step[] {
  return minimizeWith(steps, (candidate) => {
    const r = replaySteps(target, config, candidate, [invariant, ...observers]);
    return {
      reproduces: r.violation?.invariant === invariant.id,
      ran: r.ran,
      stepIndex: r.violation?.stepIndex ?? -1,
    };
  });
}

/** Renames objects o1, o2, ... in the order they are made (each operation renames its own). */
export function renameObjects(steps: readonly Step[]): Step[] {
  const names = new Map<string, string>();
  for (const s of steps) {
    const made = opOf(s).makes?.(s);
    if (made !== undefined && !names.has(made)) names.set(made, `o${names.size + 1}`);
  }
  const rename = (n: string): string => names.get(n) ?? n;
  return steps.map((s) => opOf(s).rename?.(s, rename) ?? s);
}
