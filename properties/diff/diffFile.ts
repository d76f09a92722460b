/**
 * A difference as a counterexample file (runner/counterexampleFile.ts): `target` is BASE, `diff`
 * names HEAD, the aspects compared and the first differing field; `invariant` is "diff". The
 * file name is `<BASE>--<HEAD>--diff.json`, each side named as `check` names its target.
 */
import type { Target } from "../engine/target.ts";
import {
  COUNTEREXAMPLE_SCHEMA,
  DIFF_INVARIANT,
  targetFileName,
  targetToJson,
  topologyToJson,
  type CounterexampleFile,
} from "../runner/counterexampleFile.ts";
import { COMPARE_ASPECTS, type CompareAspect } from "./compareViews.ts";
import type { DiffCounterexample } from "./diffTargets.ts";

export function diffFileName(base: Target, head: Target): string {
  return `${targetFileName(base)}--${targetFileName(head)}--${DIFF_INVARIANT}.json`;
}

/** The aspects in their comparing order. */
export function orderedAspects(aspects: ReadonlySet<CompareAspect>): CompareAspect[] {
  return COMPARE_ASPECTS.filter((a) => aspects.has(a));
}

export function diffToFile(
  base: Target,
  head: Target,
  aspects: ReadonlySet<CompareAspect>,
  ce: DiffCounterexample,
): CounterexampleFile {
  return {
    schema: COUNTEREXAMPLE_SCHEMA,
    target: targetToJson(base),
    diff: {
      head: targetToJson(head),
      compare: orderedAspects(aspects),
      field: ce.difference.field,
    },
    invariant: DIFF_INVARIANT,
    message: ce.message,
    expect: "fail",
    topology: topologyToJson(ce.config),
    seed: ce.seed,
    ...(ce.path !== undefined ? { path: ce.path } : {}),
    commands: [...ce.steps],
  };
}
