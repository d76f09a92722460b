/**
 * The workloads as checked runs: each workload of the check (workloadSteps.ts) run as steps
 * through a session, every invariant still passing judged along the way, after the random
 * rounds of a target's check. A violation is minimised and becomes that invariant's failure,
 * with a counterexample file that `replay` reads like any other.
 *
 *   kiran-2005 (5,000 steps) ──> Session ──> pass
 *   counters                 ──> Session ──> bitmap-chunk-hint breaks at step 256
 *                                               └─> minimise ──> counterexample (1-minimal
 *                                                   when short enough, else reduced)
 *
 * A workload holds thousands of objects, so two costs of a generated run's checks grow with
 * it: a full audit reads every live copy (2,000 objects: 8,000 copies), and a white-box
 * invariant reads every chunk's maps (a hundred chunks). The runs audit every
 * WORKLOAD_AUDIT_FACTOR × `auditEvery` steps (256 by default; the incremental checks judge
 * every step's pages as always), and judge the white-box invariants at those audits only:
 * they are predicates of the state, so a broken state that lasts is seen at the next audit.
 * chunk-lifecycle and block-lifecycle judge the transitions between every two steps (a machine
 * per chunk or block, O(chunks) a step): they are left to the random runs, as refinement is to
 * the model's.
 */
import { performance } from "node:perf_hooks";
import type { BootConfig } from "../../impl/index.ts";
import { HarnessFailure } from "../../impl/external/index.ts";
import { throwIfStopped } from "../../impl/stop.ts";
import type { DepthMeter } from "../depth/index.ts";
import { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import { Violation } from "../engine/violation.ts";
import type { Invariant, StepContext } from "../invariants/index.ts";
import { DEFAULT_AUDIT_EVERY } from "../engine/scope.ts";
import type { Counterexample, RunCounter, RunSettings } from "./checkTarget.ts";
import { minimizeWith, renameObjects, type Trial } from "./minimize.ts";
import { replaySteps } from "./replay.ts";
import { interruptCheck, TimeLimitReached } from "./runBudget.ts";
import {
  checkedWorkloadSteps,
  checkWorkloads,
  workloadBootConfig,
  type CheckedWorkload,
} from "./workloadSteps.ts";

/** The workload runs audit this many times less often than the random runs. */
export const WORKLOAD_AUDIT_FACTOR = 16;
/** Invariants judged on their own runs or between every two steps: not on the workloads. */
const NOT_ON_WORKLOADS = new Set(["refinement", "chunk-lifecycle", "block-lifecycle"]);
/** Steps a minimisation may replay in all (its first, coarse pass). */
export const MINIMISE_STEP_BUDGET = 150_000;
/** A reduced counterexample this short or shorter is made 1-minimal (minimize.ts). */
export const ONE_MINIMAL_MAX_STEPS = 400;
/** A workload run's depth is measured every this many steps (and at the audits). */
const DEPTH_SAMPLE = 16;
/** Depth measures of the workload runs are kept apart from the generated runs'. */
const DEPTH_INDEX_BASE = 1_000_000;

export type WorkloadStatus = "pass" | "fail" | "not-checked";

/** One workload's checked run, as `check` reports it. */
export interface WorkloadRow {
  readonly workload: string;
  readonly objects: number;
  /** Steps the run made (the end-of-run frees left out). */
  readonly steps: number;
  readonly status: WorkloadStatus;
  /** The invariant that broke. */
  readonly invariant?: string;
  readonly reason?: string;
  /** The minimised failing run. */
  readonly counterexample?: Counterexample;
  /** The counterexample is 1-minimal (false: reduced, too long for the one-step pass). */
  readonly minimal?: boolean;
}

/** What the workload runs found: the rows, and each failure for the invariant's result. */
export interface WorkloadReport {
  readonly rows: WorkloadRow[];
  readonly failures: { readonly invariant: Invariant; readonly counterexample: Counterexample }[];
}

/** The invariants a workload run judges, of those asked: white-box ones at the audits only. */
export function workloadInvariants(invariants: readonly Invariant[]): Invariant[] {
  return invariants
    .filter((i) => i.ownRuns === undefined && !NOT_ON_WORKLOADS.has(i.id))
    .map((i) => {
      const judge = i.afterStep;
      if (i.designs === undefined || judge === undefined) return i;
      return { ...i, afterStep: (ctx) => (ctx.scope.audit ? judge(ctx) : undefined) };
    });
}

/** The full-audit interval of the workload runs. */
export function workloadAuditEvery(settings: Pick<RunSettings, "auditEvery">): number {
  return (settings.auditEvery ?? DEFAULT_AUDIT_EVERY) * WORKLOAD_AUDIT_FACTOR;
}

/** The workloads a target's check runs: every one in-process, kiran-2005 on a harness. */
export function workloadsFor(target: Target): CheckedWorkload[] {
  const all = checkWorkloads();
  // Over a pipe a step costs 1 to 10 ms: the one workload past 1,000 live objects.
  return target.kind === "external" ? all.filter((w) => w.workload.id === "kiran-2005") : all;
}

/**
 * Runs the target's workloads with `invariants` (those still passing), in order; an invariant
 * that breaks is set aside for the workloads after. A harness failure passes through.
 */
export function checkTargetWorkloads(
  target: Target,
  invariants: readonly Invariant[],
  settings: RunSettings,
  counter: RunCounter,
  depth?: DepthMeter,
  workloads: readonly CheckedWorkload[] = workloadsFor(target),
): WorkloadReport {
  const rows: WorkloadRow[] = [];
  const failures: WorkloadReport["failures"] = [];
  let judged = [...invariants];
  const config = workloadBootConfig();
  const auditEvery = workloadAuditEvery(settings);
  for (const [index, w] of workloads.entries()) {
    throwIfStopped();
    const base = { workload: w.workload.id, objects: w.objects };
    if (settings.deadline !== undefined && Date.now() > settings.deadline) {
      rows.push({ ...base, steps: 0, status: "not-checked", reason: "the time limit" });
      continue;
    }
    const enabled = workloadInvariants(judged);
    if (enabled.length === 0) {
      rows.push({ ...base, steps: 0, status: "not-checked", reason: "no invariant left" });
      continue;
    }
    const steps = checkedWorkloadSteps(w, settings.seed);
    const probe = depth?.run(DEPTH_INDEX_BASE + index, config);
    const session = new Session({
      target,
      config,
      invariants: enabled,
      auditEvery,
      // A stop request and the time limit, before every request of the run.
      checkpoint: interruptCheck(settings.deadline),
      ...(probe !== undefined ? { onStep: sampled(probe.step) } : {}),
    });
    try {
      runSteps(session, steps);
      session.finish();
      rows.push({
        ...base,
        steps: session.trace.length,
        status: "pass",
        ...(session.diverged ? { reason: "stopped where an invariant set aside broke" } : {}),
      });
    } catch (e) {
      if (e instanceof TimeLimitReached) {
        rows.push({
          ...base,
          steps: session.trace.length,
          status: "not-checked",
          reason: "the time limit",
        });
        continue;
      }
      if (!(e instanceof Violation)) throw e;
      const invariant = judged.find((i) => i.id === e.invariant) as Invariant;
      const started = performance.now();
      const found = minimiseWorkloadFailure(target, config, session.trace, invariant, auditEvery);
      counter.shrinkMs += performance.now() - started;
      counter.commands += found.replayed;
      const counterexample: Counterexample = {
        invariant: invariant.id,
        message: found.message,
        config,
        steps: found.steps,
        seed: settings.seed,
        path: undefined,
      };
      failures.push({ invariant, counterexample });
      judged = judged.filter((i) => i !== invariant);
      rows.push({
        ...base,
        steps: session.trace.length,
        status: "fail",
        invariant: invariant.id,
        counterexample,
        minimal: found.minimal,
      });
    } finally {
      counter.commands += session.trace.length;
    }
  }
  return { rows, failures };
}

/**
 * The depth measure of a workload run, on every DEPTH_SAMPLE-th step, the audits and the
 * refusals: each measure reads the allocator's view (O(chunks), a hundred chunks here), and the
 * maxima a workload reaches last for hundreds of steps.
 */
function sampled(step: (ctx: StepContext) => void): (ctx: StepContext) => void {
  return (ctx) => {
    if (ctx.index % DEPTH_SAMPLE === 0 || ctx.scope.audit || !ctx.outcome.ok) step(ctx);
  };
}

/** Runs steps on a session, looking at a stop request every 256 steps. */
function runSteps(session: Session, steps: readonly Step[]): void {
  steps.forEach((step, i) => {
    if (i % 256 === 0) throwIfStopped();
    session.execute(step);
  });
}

/** A minimised workload failure: its steps, its message, and what it cost. */
export interface MinimisedFailure {
  readonly steps: Step[];
  readonly message: string;
  /** 1-minimal (no single step can go); false: reduced within the budget only. */
  readonly minimal: boolean;
  /** Steps replayed while minimising. */
  readonly replayed: number;
}

/**
 * Minimises a failing workload trace: the steps after the failing one dropped, then chunks of
 * steps removed while the failure stays (ddmin's complements, halving the chunk when none can
 * go), within MINIMISE_STEP_BUDGET replayed steps; a result of at most ONE_MINIMAL_MAX_STEPS
 * steps is then made 1-minimal by minimize.ts. The tries audit as the workload run did; the
 * result is replayed once more as `replay` replays it (every step audited) and kept only if
 * it still fails there, else the whole trace is the counterexample.
 */
export function minimiseWorkloadFailure(
  target: Target,
  config: BootConfig,
  trace: readonly Step[],
  invariant: Invariant,
  auditEvery: number,
): MinimisedFailure {
  let replayed = 0;
  const judged = workloadInvariants([invariant]);
  const trial = (candidate: readonly Step[]): Trial => {
    replayed += candidate.length;
    const session = new Session({ target, config, invariants: judged, auditEvery });
    const ran: number[] = [];
    let current = -1;
    try {
      candidate.forEach((step, i) => {
        current = i;
        if (session.execute(step)) ran.push(i);
      });
      current = -1;
      session.finish();
    } catch (e) {
      if (!(e instanceof Violation) && !(e instanceof HarnessFailure)) throw e;
      if (e instanceof HarnessFailure) throw e;
      if (e.stepIndex >= 0 && current >= 0 && ran[ran.length - 1] !== current) ran.push(current);
      const stepIndex = e.stepIndex >= 0 ? ran.length - 1 : -1;
      const partsOf = (k: number) => session.partsOf(k);
      return { reproduces: e.invariant === invariant.id, ran, stepIndex, partsOf };
    }
    return { reproduces: false, ran, stepIndex: -1 };
  };
  const first = trial(trace);
  let current = first.reproduces ? keep(trace, first) : [...trace];
  if (first.reproduces) current = reduce(current, trial, () => replayed < MINIMISE_STEP_BUDGET);
  const minimal = current.length <= ONE_MINIMAL_MAX_STEPS;
  const steps = minimal ? minimizeWith(current, trial) : renameObjects(current);
  const final = replaySteps(target, config, steps, [invariant]);
  replayed += steps.length;
  if (final.violation?.invariant === invariant.id) {
    return { steps, message: final.violation.detail, minimal, replayed };
  }
  const whole = replaySteps(target, config, trace, [invariant]);
  replayed += trace.length;
  return {
    steps: renameObjects(trace),
    message: whole.violation?.detail ?? "the workload run broke it (not reproduced by replay)",
    minimal: false,
    replayed,
  };
}

/** The steps of a reproducing trial: those that ran, up to the failing one. */
function keep(candidate: readonly Step[], t: Trial): Step[] {
  const ran = t.ran.map((i) => candidate[i] as Step);
  return t.stepIndex >= 0 ? ran.slice(0, t.stepIndex + 1) : ran;
}

/** ddmin's complement pass: removes chunks of steps while the failure stays. */
function reduce(
  steps: readonly Step[],
  trial: (candidate: readonly Step[]) => Trial,
  budgetLeft: () => boolean,
): Step[] {
  let current = [...steps];
  let parts = 2;
  while (current.length >= 2 && budgetLeft()) {
    const size = Math.ceil(current.length / parts);
    let removed = false;
    for (let from = 0; from < current.length && budgetLeft(); from += size) {
      const candidate = [...current.slice(0, from), ...current.slice(from + size)];
      const t = trial(candidate);
      if (!t.reproduces) continue;
      current = keep(candidate, t);
      parts = Math.max(parts - 1, 2);
      removed = true;
      break;
    }
    if (removed) continue;
    if (size <= 1) break;
    parts = Math.min(current.length, parts * 2);
  }
  return current;
}
