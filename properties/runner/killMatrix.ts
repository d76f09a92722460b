/**
 * The kill matrix: every mutant run against the invariants it must break, with what caught it,
 * the length of the 1-minimal counterexample, the time it took to catch (and the part of it
 * spent shrinking), and, where the bug lies inside the state-machine model's scope, the
 * shortest failing path among the model's breadth-first paths.
 *
 *   mutant              revision       caught by      steps  model  time
 *   kiran-node0         kiran-2005-09  node-locality      1      1  12 ms
 *   kiran-skip-tail-run kiran-2005-09  refinement         3      2  0.9 s
 *
 * The two lengths differ for a reason: the shrunk counterexample is free to pick any topology,
 * size and alignment, while the model's paths are bound to its scope (4 possible CPUs on 2
 * nodes, three allocation sizes, one injected failure) and its first events may be ones a
 * counterexample does without. A model path can be shorter where the model's fixed boot state
 * already holds what the counterexample must make (it boots with CPUs offline, which a shrunk
 * topology, shrinking towards every CPU online, spends a cpu_down on), or where the shrinker
 * stopped in a local minimum (1-minimal is minimal step by step, not globally).
 */
import { performance } from "node:perf_hooks";
import { findInvariant, type Invariant } from "../invariants/index.ts";
import type { MutantTarget } from "../targets.ts";
import { checkTarget } from "./checkTarget.ts";
import { shortestModelFailure } from "./modelPaths.ts";

export interface KillRow {
  readonly mutant: string;
  readonly revision: string;
  readonly source: string;
  /** The invariants it must break. */
  readonly expected: readonly string[];
  /** Those that caught it. */
  readonly caughtBy: readonly string[];
  /** Those it survived (a defect of the suite). */
  readonly survived: readonly string[];
  /** Steps of the shortest counterexample among those that caught it. */
  readonly length: number | undefined;
  /** Protocol steps of the model's shortest failing path, if one of its paths breaks one. */
  readonly modelLength: number | undefined;
  /** Wall time to catch it (the check of its expected invariants), in ms. */
  readonly ms: number;
  /** Of which, spent making the counterexamples 1-minimal, in ms. */
  readonly shrinkMs: number;
}

export interface KillSettings {
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
}

export const KILL_SETTINGS: KillSettings = { seed: 20051, runs: 200, maxCommands: 60 };

/** One mutant's row: its check on the invariants it must break, and the model's paths. */
export function killRow(mutant: MutantTarget, settings: KillSettings = KILL_SETTINGS): KillRow {
  const invariants = mutant.expected.map((id) => findInvariant(id) as Invariant);
  const started = performance.now();
  const report = checkTarget(mutant, {
    ...settings,
    invariants,
    // The model's runs only where refinement must catch it: they are what judge it.
    model: mutant.expected.includes("refinement"),
  });
  const ms = performance.now() - started;
  const caught = report.results.filter((r) => r.status === "fail");
  const lengths = caught.flatMap((r) => (r.counterexample ? [r.counterexample.steps.length] : []));
  const model = shortestModelFailure(mutant, invariants);
  return {
    mutant: mutant.id,
    revision: mutant.revision,
    source: mutant.source,
    expected: mutant.expected,
    caughtBy: caught.map((r) => r.invariant),
    survived: report.results.filter((r) => r.status !== "fail").map((r) => r.invariant),
    length: lengths.length > 0 ? Math.min(...lengths) : undefined,
    modelLength: model?.steps,
    ms,
    shrinkMs: report.shrinkMs ?? 0,
  };
}
