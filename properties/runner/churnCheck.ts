/**
 * The check of an invariant judged on churn rounds (`utilization-after-churn`): fast-check draws
 * churn workloads (workloads/churnRounds.ts), each run on a fresh allocator and judged after
 * every refill; a failure shrinks to the smallest workload that still breaks it (fewest objects
 * and rounds, alignment 1, the narrowest sizes), which is replayed once more for its figures.
 *
 *   unit bytes of the target ──> scale (objects per batch) ──> runs (one workload each)
 *        0: not judged            too many: not judged          fail ──> shrink ──> figures
 *
 * A run is thousands of requests, so a check makes few of them: one per 50 runs of the random
 * command rounds (4 at the default 200), at least one.
 */
import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { Stopped, stopRequested } from "../../impl/stop.ts";
import {
  churnCheckpoint,
  interruptCheck,
  TimeLimitReached,
  WorkBudgetExceeded,
} from "./runBudget.ts";
import type { Target } from "../engine/target.ts";
import { Violation } from "../engine/violation.ts";
import type { Invariant } from "../invariants/invariant.ts";
import {
  CHURN_BOOT,
  churnUnitBytes,
  DEFAULT_UTILIZATION_THRESHOLD,
  runChurn,
  type ChurnFigures,
  type ChurnOutcome,
} from "../invariants/utilizationAfterChurn.ts";
import {
  churnGenesArbitrary,
  churnParamsOf,
  churnPhases,
  churnScopeProblem,
  churnShrinkTargets,
  type ChurnGenes,
  type ChurnParams,
  type ChurnScope,
} from "../workloads/churnRounds.ts";
import type { InvariantResult, RunCounter, RunSettings } from "./checkTarget.ts";

/** A churn counterexample: the workload, the threshold it was judged at, and its figures. */
export interface ChurnCounterexample {
  readonly workload: ChurnParams;
  readonly threshold: number;
  readonly figures: ChurnFigures;
}

/** Command runs per churn run. */
const RUNS_PER_CHURN_RUN = 50;

/** The churn runs of a check of `runs` command runs per round. */
export function churnRuns(runs: number): number {
  return Math.max(1, Math.ceil(runs / RUNS_PER_CHURN_RUN));
}

/** The requests a workload makes (allocations and frees), for the check's step count. */
function requests(p: ChurnParams): number {
  return churnPhases(p).reduce((n, phase) => n + phase.ops.length, 0);
}

export function checkChurn(
  target: Target,
  invariant: Invariant,
  settings: RunSettings,
  counter: RunCounter,
): InvariantResult {
  const notChecked = (reason: string): InvariantResult => ({
    target: target.id,
    invariant: invariant.id,
    status: "not-checked",
    runs: 0,
    reason,
  });
  const threshold = settings.utilizationThreshold ?? DEFAULT_UTILIZATION_THRESHOLD;
  const unitBytes = churnUnitBytes(target);
  if (unitBytes === 0) return notChecked("the target reports no unit bytes (stats unit_bytes)");
  const problem = churnScopeProblem({ maxSize: target.maxSize, unitBytes });
  if (problem !== undefined) return notChecked(`not judged at this scale: ${problem}`);
  if (settings.deadline !== undefined && Date.now() > settings.deadline) {
    return notChecked("the time limit ended the check first");
  }
  const scope = { maxSize: target.maxSize, unitBytes };
  const outcomes = new Map<string, ChurnOutcome>();
  const interrupt = interruptCheck(settings.deadline);
  const judge = (g: ChurnGenes): ChurnOutcome => {
    const signal = stopRequested();
    if (signal !== 0) throw new Stopped(signal);
    return remembered(outcomes, target, churnParamsOf(g, scope), threshold, counter, interrupt);
  };
  const property = fc.property(churnGenesArbitrary(scope), (g) => {
    const outcome = judge(g);
    if (outcome.violation !== undefined) {
      throw new Violation(invariant.id, outcome.violation, -1, undefined);
    }
  });
  const details = fc.check(property, {
    seed: settings.seed,
    numRuns: churnRuns(settings.runs),
    // The shrinking is the greedy one below: each try is a run of thousands of requests.
    endOnFailure: true,
    ...(settings.deadline !== undefined
      ? { interruptAfterTimeLimit: Math.max(1, settings.deadline - Date.now()) }
      : {}),
  });
  const error = details.errorInstance;
  if (error instanceof Stopped) throw error;
  // A churn run the time limit or the work budget ended is no verdict (the other churn runs
  // of a round it ends are not made: fast-check stops at the first failure here).
  if (error instanceof TimeLimitReached) return notChecked("the time limit ended the check first");
  if (error instanceof WorkBudgetExceeded) {
    return notChecked(`a churn run was ended unjudged: ${error.message}`);
  }
  // Interrupted by the time limit (fast-check may then say "failed" with no error): the churn
  // runs not made are not judged.
  if (details.interrupted && !(details.failed && error instanceof Violation)) {
    return notChecked("the time limit ended the check first");
  }
  if (!details.failed) {
    return { target: target.id, invariant: invariant.id, status: "pass", runs: details.numRuns };
  }
  if (!(error instanceof Violation) || details.counterexample === null) throw error;
  const shrinking = performance.now();
  // The outcome of the uncut workload is the cut one's: its run stopped at that round.
  const [genes, final] = shrinkChurn(details.counterexample[0], judge, scope);
  counter.shrinkMs += performance.now() - shrinking;
  const workload = churnParamsOf(genes, scope);
  if (final.violation === undefined) {
    throw new Error(
      `${target.id}: the shrunk churn workload for ${invariant.id} does not reproduce (a bug of the runner)`,
    );
  }
  const known = target.knownViolations[invariant.id];
  return {
    target: target.id,
    invariant: invariant.id,
    status: "fail",
    runs: details.numRuns,
    ...(known !== undefined ? { expected: true, reason: known } : {}),
    counterexample: {
      invariant: invariant.id,
      message: final.violation,
      config: CHURN_BOOT,
      steps: [],
      seed: settings.seed,
      path: details.counterexamplePath ?? undefined,
      churn: { workload, threshold, figures: final.figures },
    },
  };
}

/**
 * The smallest workload that still breaks the property, greedily: its rounds cut to the round
 * that broke (a workload of fewer rounds is a prefix of it, so it breaks the same); then each
 * gene in turn (churnShrinkTargets) set to its simplest value (the extra objects also halfway
 * there), kept where the workload still breaks, the rounds cut again after each. A pass that changes nothing ends
 * it. Deterministic: the same failure shrinks to the same workload.
 */
export function shrinkChurn(
  failing: ChurnGenes,
  judge: (g: ChurnGenes) => ChurnOutcome,
  scope: ChurnScope,
): [ChurnGenes, ChurnOutcome] {
  const cut = (g: ChurnGenes, o: ChurnOutcome): ChurnGenes => ({
    ...g,
    rounds: Math.max(1, Math.min(g.rounds, o.figures.rounds.length)),
  });
  let outcome = judge(failing);
  if (outcome.violation === undefined) return [failing, outcome];
  let genes = cut(failing, outcome);
  for (let pass = 0; pass < MAX_SHRINK_PASSES; pass++) {
    let changed = false;
    for (const [name, simplest] of churnShrinkTargets(scope)) {
      const now = genes[name];
      // The object count also halfway (the fewest objects that still break it); the others
      // only to their simplest value, each try being a run of thousands of requests.
      const halfway = Math.trunc((now + simplest) / 2);
      for (const value of new Set(name === "extra" ? [simplest, halfway] : [simplest])) {
        if (value === now) continue;
        const tried = { ...genes, [name]: value };
        const o = judge(tried);
        if (o.violation === undefined) continue;
        genes = cut(tried, o);
        outcome = o;
        changed = true;
        break;
      }
    }
    if (!changed) break;
  }
  return [genes, outcome];
}

/**
 * The outcome of a workload of this check, run once: a run is deterministic (its choices come
 * from its seed), and the shrinking tries again the workload fast-check found and the one it
 * ends with. Kept per check, so that the same check counts the same requests in any process.
 */
function remembered(
  mine: Map<string, ChurnOutcome>,
  target: Target,
  p: ChurnParams,
  threshold: number,
  counter: RunCounter,
  interrupt: () => void,
): ChurnOutcome {
  const run = (): ChurnOutcome => {
    counter.commands += requests(p);
    return runChurn(target, p, threshold, churnCheckpoint(interrupt));
  };
  const key = `${threshold} ${JSON.stringify(p)}`;
  const known = mine.get(key);
  if (known !== undefined) return known;
  const outcome = run();
  mine.set(key, outcome);
  return outcome;
}

/** Passes of the greedy shrinking, at most. */
const MAX_SHRINK_PASSES = 2;
