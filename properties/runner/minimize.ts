/**
 * Makes a failing trace 1-minimal: no single step can be removed with the violation still
 * there. fast-check's shrinker already removes commands; this pass works on the resolved
 * steps (where a removed allocation also takes its later uses with it) and then renames the
 * objects o1, o2, ... in the order they are made.
 */
import type { BootConfig } from "../../impl/index.ts";
import { opOf } from "../engine/ops/index.ts";
import type { Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import type { Invariant } from "../invariants/index.ts";
import { replaySteps } from "./replay.ts";

/** Removes steps one at a time while the violation stays; keeps only steps that run. */
export function minimizeSteps(
  target: Target,
  config: BootConfig,
  steps: readonly Step[],
  invariant: Invariant,
): Step[] {
  const first = replaySteps(target, config, steps, [invariant]);
  let current = first.ran.map((i) => steps[i] as Step);
  // Steps after the violating one never ran to any effect: drop them.
  if (first.violation && first.violation.stepIndex >= 0) {
    current = current.slice(0, first.violation.stepIndex + 1);
  }
  // Passes until no single step can go: a removal can make an earlier step removable too.
  for (let removed = true; removed;) {
    removed = false;
    let i = 0;
    while (i < current.length) {
      const candidate = current.filter((_, j) => j !== i);
      const again = replaySteps(target, config, candidate, [invariant]);
      if (again.violation?.invariant === invariant.id) {
        current = again.ran.map((k) => candidate[k] as Step);
        if (again.violation.stepIndex >= 0)
          current = current.slice(0, again.violation.stepIndex + 1);
        removed = true;
      } else {
        i++;
      }
    }
  }
  return renameObjects(current);
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
