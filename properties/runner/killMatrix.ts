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
import type { HarnessFailureKind } from "../../impl/external/index.ts";
import { findInvariant, type Invariant } from "../invariants/index.ts";
import type { MutantTarget } from "../targets.ts";
import { checkTarget, type TargetReport } from "./checkTarget.ts";
import { shortestModelFailure } from "./modelPaths.ts";

/**
 * What became of a row: caught by every invariant it must break; survived one of them (a
 * defect of the suite); not applicable (a real-kernel mutation whose pattern is not in that
 * tree: the fix it undoes is not there, which is no survival); equivalent (a real-kernel
 * mutation its .mut argues no run can tell from the kernel, checked and surviving as argued:
 * no defect of the suite, and listed as such); not checked (no tree, a failed
 * build, an invariant left unjudged: the matrix is incomplete); or its harness failed.
 */
export type KillVerdict =
  "caught" | "survived" | "equivalent" | "not-applicable" | "not-checked" | HarnessFailureKind;

/** A real-kernel mutation's row: which .mut, which tree, the harness it was checked as. */
export interface LinuxRowInfo {
  /** The .mut's id (harnesses/linux/mutations/ID.mut). */
  readonly mutation: string;
  /** The version the tree was looked up as ("6.12", "6.1"). */
  readonly version: string;
  /** The tree's folder, if there is one. */
  readonly tree: string | undefined;
  /** The harness command line checked (`check --external` semantics), if it was built. */
  readonly command: string | undefined;
  /** Time spent in make, in ms. */
  readonly buildMs: number;
}

export interface KillRow {
  readonly mutant: string;
  readonly revision: string;
  readonly source: string;
  /** The invariants it must break. */
  readonly expected: readonly string[];
  /** Those that caught it. */
  readonly caughtBy: readonly string[];
  /** Those it survived: they passed (a defect of the suite). */
  readonly survived: readonly string[];
  /** Those not judged (a missing capability, a harness failure, no tree, no build). */
  readonly notChecked: readonly string[];
  readonly verdict: KillVerdict;
  /** Why it was not judged, does not apply, or what its harness did: one line. */
  readonly reason: string | undefined;
  /**
   * Steps of the shortest counterexample among those that caught it (sections, for an
   * interleaved one; 0 for a lock-order cycle, which no one run shows).
   */
  readonly length: number | undefined;
  /** Protocol steps of the model's shortest failing path, if one of its paths breaks one. */
  readonly modelLength: number | undefined;
  /** Wall time to catch it (the check of its expected invariants), in ms. */
  readonly ms: number;
  /** Of which, spent making the counterexamples 1-minimal, in ms. */
  readonly shrinkMs: number;
  /** Present on a real-kernel mutation's row. */
  readonly linux?: LinuxRowInfo;
}

export interface KillSettings {
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  /** The workloads' checked runs too (default true, as in a check). */
  readonly workloads?: boolean;
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
  const model = shortestModelFailure(mutant, invariants);
  return {
    ...rowOfReport(report, mutant.expected, ms),
    mutant: mutant.id,
    revision: mutant.revision,
    source: mutant.source,
    modelLength: model?.steps,
  };
}

/** What a check of the invariants a mutant must break says of it, in-process or external. */
export function rowOfReport(
  report: TargetReport,
  expected: readonly string[],
  ms: number,
): Omit<KillRow, "mutant" | "revision" | "source" | "modelLength"> {
  const caught = report.results.filter((r) => r.status === "fail");
  const survived = report.results.filter((r) => r.status === "pass").map((r) => r.invariant);
  const notChecked = report.results
    .filter((r) => r.status !== "fail" && r.status !== "pass")
    .map((r) => r.invariant);
  // An interleaved counterexample's length is the sections its schedule ran.
  const lengths = caught.flatMap((r) =>
    r.counterexample
      ? [r.counterexample.interleave?.schedule.length ?? r.counterexample.steps.length]
      : [],
  );
  const failure = report.harnessFailure?.failure;
  const unjudged = report.results.find((r) => r.status === "not-checked");
  const verdict: KillVerdict =
    failure !== undefined
      ? failure.kind
      : survived.length > 0
        ? "survived"
        : notChecked.length > 0
          ? "not-checked"
          : "caught";
  return {
    expected,
    caughtBy: caught.map((r) => r.invariant),
    survived,
    notChecked,
    verdict,
    reason:
      failure !== undefined
        ? (failure.message.split("\n")[0] ?? failure.kind)
        : verdict === "not-checked"
          ? unjudged?.reason
          : undefined,
    length: lengths.length > 0 ? Math.min(...lengths) : undefined,
    ms,
    shrinkMs: report.shrinkMs ?? 0,
  };
}
