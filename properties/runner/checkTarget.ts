/**
 * Checks one target against the invariants with fast-check, invariant by invariant.
 *
 * All applicable invariants are judged together on every run. When one breaks, fast-check
 * shrinks the run; the shrunk run is replayed with that invariant alone, made 1-minimal, and
 * recorded; that invariant is set aside and the check goes on with the rest, from the same
 * seed, until a round finds nothing. An invariant that needs a capability the target lacks is
 * "not-checked", never "pass".
 *
 * An external harness that fails as a process (`HarnessFailure`: crash, hang, protocol error)
 * ends the check of its target at once, with no shrinking (each try could cost a timeout): the
 * first invariant not yet judged carries the failure (its kind as the status, the steps sent so
 * far in that run as the counterexample), the others are not-checked ("not judged: the harness
 * failed"), so that one failure is reported once.
 *
 * A stop request (Ctrl-C, SIGTERM; impl/stop.ts) is looked at before every run, between rounds
 * and in the harness client's waits: the check ends with what it judged, and the rest is
 * not-checked ("interrupted by SIGINT"). A run that sees the request fails at once with
 * `Stopped`, which ends fast-check's round quickly (no long shrinking: every try fails at its
 * first line); the request is read before any verdict, so it is never taken for a finding.
 */
import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { HarnessFailure, type HarnessFailureKind } from "../../impl/external/index.ts";
import type { BootConfig, Capability } from "../../impl/index.ts";
import { Stopped, stopRequested, throwIfStopped } from "../../impl/stop.ts";
import { topologyArbitrary } from "../arbitraries/topology.ts";
import { DepthMeter, type DepthJson } from "../depth/index.ts";
import { commandsArbitrary } from "../commands/index.ts";
import { NO_OOPS, Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import { Violation } from "../engine/violation.ts";
import { applicable, findInvariant, INVARIANTS, type Invariant } from "../invariants/index.ts";
import type { SystemEvent } from "../../model/systemMachine.ts";
import { checkChurn, type ChurnCounterexample } from "./churnCheck.ts";
import { checkModel } from "./modelCheck.ts";
import type { ChunkCoverageFigures } from "../../model/chunkCoverage.ts";
import { chunkLifecycle, collectChunkCoverage } from "../invariants/chunkLifecycle.ts";
import { SCOPE_CONFIG, type ModelCoverage } from "./modelPaths.ts";
import { checkInterleave, type InterleaveCounterexample } from "./interleaveCheck.ts";
import {
  HARNESS_FAILED_REASON,
  harnessFinding,
  interruptedReason,
  RunTally,
  type HarnessFinding,
  type HarnessRecorder,
} from "./interruption.ts";
import { minimizeSteps } from "./minimize.ts";
import {
  DEEP_COMMANDS,
  DEEP_DEPTH_INDEX,
  DEEP_POSSIBLE_CPUS,
  DEEP_SHRINK_TRIES,
  deepRunsOf,
  emptyDeepFigures,
  type DeepFigures,
} from "./deepRound.ts";
import { replaySteps } from "./replay.ts";
import { interruptCheck, TimeLimitReached } from "./runBudget.ts";
import { checkTargetWorkloads, type WorkloadRow } from "./workloadCheck.ts";

export interface RunSettings {
  readonly seed: number;
  /** Runs per round (fast-check numRuns). */
  readonly runs: number;
  /** The most commands in one run. */
  readonly maxCommands: number;
  /** Invariants to judge (default: all). */
  readonly invariants?: readonly Invariant[];
  /** Stop looking after this time (ms since the epoch); what was not judged is not-checked. */
  readonly deadline?: number;
  /** Also run the state-machine model's paths and random runs (default true). */
  readonly model?: boolean;
  /**
   * A full audit of every live copy every this many steps of a run (default 16, see
   * engine/scope.ts); 1 audits every step. Replays and shrinking always audit every step.
   */
  readonly auditEvery?: number;
  /** Measure how deep the runs go (properties/depth; default true). */
  readonly depth?: boolean;
  /** Called before every run of a round: the round (1-based) and the runs begun so far. */
  readonly onRun?: (progress: RunProgress) => void;
  /** The least utilization after each refill of `utilization-after-churn` (default 0.98). */
  readonly utilizationThreshold?: number;
  /** Also run the workloads as checked runs (runner/workloadCheck.ts; default true). */
  readonly workloads?: boolean;
  /**
   * Deep runs per target after the rounds (runner/deepRound.ts; default DEEP_RUNS where a round
   * has at least DEEP_MIN_RUNS runs, else none; 0: none).
   */
  readonly deepRuns?: number;
}

/** Where a check is: its round and the runs begun so far (of every round). */
export interface RunProgress {
  readonly round: number;
  readonly runs: number;
}

export type Status = "pass" | "fail" | "not-checked" | HarnessFailureKind;

export interface Counterexample {
  readonly invariant: string;
  readonly message: string;
  readonly config: BootConfig;
  readonly steps: readonly Step[];
  readonly seed: number;
  readonly path: string | undefined;
  /** Machine events, for a failure judged against the model (refinement). */
  readonly events?: readonly SystemEvent[];
  /**
   * For a no-oops failure raised by another invariant's observation (a `node` or `read` of a
   * copy, asked only when that invariant is judged): the invariants judged beside it, so that
   * a replay asks what the run asked.
   */
  readonly observers?: readonly string[];
  /** For an invariant judged on churn rounds: the workload and its figures (`steps` is empty). */
  readonly churn?: ChurnCounterexample;
  /** For an invariant judged on concurrent rounds: the threads and the schedule (`steps` is empty). */
  readonly interleave?: InterleaveCounterexample;
}

export interface InvariantResult {
  readonly target: string;
  readonly invariant: string;
  readonly status: Status;
  readonly runs: number;
  /** A failure the target's design is known for (its "what does not hold"). */
  readonly expected?: boolean;
  readonly reason?: string;
  readonly counterexample?: Counterexample;
}

/** What a check counts as it goes. */
export interface RunCounter {
  /** Steps executed, shrinking and minimising included. */
  commands: number;
  /** Time from each round's first failing run to its end (fast-check's shrinking), plus the
   * time spent making counterexamples 1-minimal, in ms. */
  shrinkMs: number;
}

export interface TargetReport {
  readonly target: Target;
  /** Time spent shrinking and minimising counterexamples, in ms. */
  readonly shrinkMs?: number;
  readonly results: InvariantResult[];
  /** Steps executed, shrinking and minimising included. */
  readonly commands: number;
  /** Coverage of the state-machine model by the model-driven runs (absent without them). */
  readonly coverage?: ModelCoverage;
  /** Coverage of the chunk machine by the runs that judged chunk-lifecycle (absent otherwise). */
  readonly chunkCoverage?: ChunkCoverageFigures;
  /** The harness failure that ended the check (external targets only). */
  readonly harnessFailure?: HarnessFinding;
  /** The signal of the stop request that ended the check before its end. */
  readonly stopped?: number;
  /** How deep the generated runs went (properties/depth), with the goals judged. */
  readonly depth?: DepthJson;
  /** The workloads' checked runs (absent when not run). */
  readonly workloads?: WorkloadRow[];
  /** What the deep rounds ran (absent when none ran). */
  readonly deep?: DeepFigures;
}

/** The capabilities a target declares in its `hello`. */
export function capabilitiesOf(target: Target): ReadonlySet<Capability> {
  return new Set(target.create().hello().capabilities);
}

interface Found {
  readonly violation: Violation;
  readonly config: BootConfig;
  readonly commands: Iterable<fc.Command<Session, Session>>;
  readonly path: string | undefined;
}

/**
 * One round: `settings.runs` random runs judged by `enabled` (possibly none: the commands alone),
 * with fast-check's shrinking on a failure. Steps executed are added to `counter`.
 */
export function runRound(
  target: Target,
  capabilities: ReadonlySet<Capability>,
  enabled: readonly Invariant[],
  settings: RunSettings,
  counter: RunCounter,
  harness: HarnessRecorder = {},
  progress: RunTally = new RunTally(),
  depth?: DepthMeter,
  /** A deep round (runner/deepRound.ts): its figures are added here. */
  deep?: DeepFigures,
): fc.RunDetails<[BootConfig, Iterable<fc.Command<Session, Session>>]> {
  let firstFailAt: number | undefined;
  // Runs made since the first failure: fast-check's shrinking tries.
  let shrinkTries = 0;
  // Every run looks at a stop request and the time limit before each request (a deep run's
  // fill is hundreds of them).
  const checkpoint = interruptCheck(settings.deadline);
  // The generated runs of the round, by index (the shrinking tries after them are not measured).
  let generated = deep !== undefined ? DEEP_DEPTH_INDEX + deep.runs : 0;
  progress.round++;
  const property = fc.property(
    topologyArbitrary({
      densePossible: target.densePossible !== undefined,
      ...(deep !== undefined ? { shape: { possibleCpus: DEEP_POSSIBLE_CPUS } } : {}),
    }),
    deep !== undefined
      ? commandsArbitrary(target, capabilities, DEEP_COMMANDS, "deep")
      : commandsArbitrary(target, capabilities, settings.maxCommands),
    (config, commands) => {
      // After a harness failure the remaining runs do nothing: the check of this target is over.
      if (harness.finding !== undefined) return;
      // After a stop request every run fails at once, so that fast-check ends the round (its
      // shrinking tries fail at once too) instead of generating the rest of its runs; the
      // caller reads `harness.stopped` before any verdict, so this is never a finding.
      const signal = harness.stopped ?? stopRequested();
      if (signal !== 0) {
        harness.stopped = signal;
        throw new Stopped(signal);
      }
      // After the time limit ended a run, the rest fail at once too (no shrinking): the round
      // is reported as the time limit left it.
      if (harness.timeLimit === true) throw new TimeLimitReached();
      // A deep run's shrinking tries are bounded (deepRound.ts): the tries past the bound are
      // not made, fast-check keeps the smallest failing run found so far.
      if (firstFailAt !== undefined && deep !== undefined && ++shrinkTries > DEEP_SHRINK_TRIES) {
        return;
      }
      settings.onRun?.(progress.next());
      const measured = firstFailAt === undefined;
      const probe = measured ? depth?.run(generated++, config) : undefined;
      let session: Session | undefined;
      try {
        session = new Session({
          target,
          config,
          invariants: enabled,
          auditEvery: settings.auditEvery,
          checkpoint,
          ...(probe !== undefined ? { onStep: probe.step } : {}),
        });
        fc.modelRun(() => ({ model: session as Session, real: session as Session }), commands);
        session.finish();
      } catch (e) {
        if (e instanceof Stopped || stopRequested() !== 0) {
          // Whatever broke after a stop request (a harness killed under it) is not a finding.
          harness.stopped = e instanceof Stopped ? e.signal : stopRequested();
          throw new Stopped(harness.stopped);
        }
        if (e instanceof TimeLimitReached) {
          // A shrinking try the time limit cut: the failure found stands, shrunk so far
          // (fast-check's own time limit then ends the shrinking).
          if (firstFailAt !== undefined) return;
          harness.timeLimit = true;
          throw e;
        }
        if (e instanceof Violation) firstFailAt ??= performance.now();
        if (!(e instanceof HarnessFailure)) throw e;
        harness.finding = harnessFinding(e, config, session?.trace ?? [], settings.seed);
      } finally {
        counter.commands += session?.trace.length ?? 0;
        if (deep !== undefined && measured && session !== undefined) {
          const requests = session.log.length;
          deep.runs++;
          deep.steps += session.trace.length;
          deep.requests += requests;
          deep.requests_max = Math.max(deep.requests_max, requests);
        }
      }
    },
  );
  const details = fc.check(property, {
    seed: settings.seed,
    numRuns: deep !== undefined ? deepRunsOf(settings) : settings.runs,
    ...(settings.deadline !== undefined
      ? { interruptAfterTimeLimit: Math.max(1, settings.deadline - Date.now()) }
      : {}),
  });
  if (firstFailAt !== undefined) counter.shrinkMs += performance.now() - firstFailAt;
  return details;
}

export function checkTarget(target: Target, settings: RunSettings): TargetReport {
  // The chunk machine's coverage is counted over every run of the check that judges it.
  if (!applicable(settings.invariants ?? INVARIANTS, target).includes(chunkLifecycle)) {
    return checkTargetOnce(target, settings);
  }
  const { coverage, stop } = collectChunkCoverage();
  try {
    const report = withoutUnreadable(checkTargetOnce(target, settings));
    const judged = report.results.some((r) => r.invariant === chunkLifecycle.id);
    return judged ? { ...report, chunkCoverage: coverage.figures() } : report;
  } finally {
    stop();
  }
}

/**
 * An invariant judged on external harnesses through a form of `inspect` (`externals`) says
 * nothing of a harness without `inspect`: like a white-box invariant on another design, it is
 * left out of that harness's report, unless it is all the check was asked to judge (then its
 * not-checked row says what the harness lacks).
 */
function withoutUnreadable(report: TargetReport): TargetReport {
  if (report.target.kind !== "external" || report.results.length < 2) return report;
  const unreadable = (r: InvariantResult) =>
    findInvariant(r.invariant)?.externals === true &&
    r.status === "not-checked" &&
    r.reason?.startsWith("the target lacks") === true;
  return { ...report, results: report.results.filter((r) => !unreadable(r)) };
}

/**
 * The invariants a check judges: those asked for, else every one that applies, but for the
 * churn-round ones on an external harness (thousands of requests a run: planned only when
 * asked for, as selection.ts's `churnFor` plans them for the CLI).
 */
function wantedInvariants(target: Target, settings: RunSettings): readonly Invariant[] {
  if (settings.invariants !== undefined) return applicable(settings.invariants, target);
  return applicable(INVARIANTS, target).filter(
    (i) => i.ownRuns !== "churn-rounds" || target.kind !== "external",
  );
}

function checkTargetOnce(target: Target, settings: RunSettings): TargetReport {
  const wanted = wantedInvariants(target, settings);
  const results = new Map<string, InvariantResult>();
  const counter: RunCounter = { commands: 0, shrinkMs: 0 };
  const harness: HarnessRecorder = {};
  const measured: Measured = {};
  try {
    throwIfStopped();
    return checkJudged(target, settings, wanted, results, counter, harness, measured);
  } catch (e) {
    const signal = e instanceof Stopped ? e.signal : stopRequested();
    if (signal !== 0) {
      return withDepth(stoppedReport(target, wanted, results, counter, signal), measured);
    }
    if (!(e instanceof HarnessFailure)) throw e;
    // Outside a run (hello, a replay while minimising, the model's runs): no steps to show.
    harness.finding ??= harnessFinding(e, SCOPE_CONFIG, [], settings.seed);
  }
  const finding = harness.finding;
  let first = true;
  for (const inv of wanted) {
    if (results.has(inv.id)) continue;
    results.set(
      inv.id,
      first
        ? {
            target: target.id,
            invariant: inv.id,
            status: finding.failure.kind,
            runs: 0,
            reason: finding.failure.message.split("\n")[0],
            counterexample: finding.counterexample,
          }
        : notChecked(target, inv, HARNESS_FAILED_REASON),
    );
    first = false;
  }
  return withDepth(
    {
      target,
      results: wanted.map((i) => results.get(i.id) as InvariantResult),
      commands: counter.commands,
      harnessFailure: finding,
    },
    measured,
  );
}

/** Where checkJudged keeps its depth meter, for a report it does not finish itself. */
interface Measured {
  meter?: DepthMeter;
}

/** A report cut short (a harness failure, a stop) with the depth its runs reached so far. */
function withDepth(report: TargetReport, measured: Measured): TargetReport {
  return measured.meter === undefined ? report : { ...report, depth: measured.meter.summary() };
}

function notChecked(target: Target, inv: Invariant, reason: string): InvariantResult {
  return { target: target.id, invariant: inv.id, status: "not-checked", runs: 0, reason };
}

/** What a stop request left: the units judged so far, the rest not-checked. */
function stoppedReport(
  target: Target,
  wanted: readonly Invariant[],
  results: Map<string, InvariantResult>,
  counter: RunCounter,
  signal: number,
): TargetReport {
  return {
    target,
    results: wanted.map((i) => {
      const r = results.get(i.id);
      // refinement's pass before the model round is no verdict: it is judged only there.
      const judged = r !== undefined && !(i.id === "refinement" && r.status === "pass");
      return judged ? r : notChecked(target, i, interruptedReason(signal));
    }),
    commands: counter.commands,
    shrinkMs: counter.shrinkMs,
    stopped: signal,
  };
}

function checkJudged(
  target: Target,
  settings: RunSettings,
  wanted: readonly Invariant[],
  results: Map<string, InvariantResult>,
  counter: RunCounter,
  harness: HarnessRecorder,
  measured: Measured,
): TargetReport {
  const capabilities = capabilitiesOf(target);
  let remaining: Invariant[] = [];
  const interleaved: Invariant[] = [];
  for (const inv of wanted) {
    if (inv.ownRuns === "churn-rounds") {
      throwIfStopped();
      results.set(inv.id, checkChurn(target, inv, settings, counter));
      continue;
    }
    const missing = inv.needs.filter((c) => !capabilities.has(c));
    if (missing.length > 0) {
      results.set(inv.id, {
        target: target.id,
        invariant: inv.id,
        status: "not-checked",
        runs: 0,
        reason: `the target lacks ${missing.join(", ")}`,
      });
    } else if (inv.ownRuns === "interleavings") {
      interleaved.push(inv);
    } else {
      remaining.push(inv);
    }
  }
  // The concurrent round (runner/interleaveCheck.ts), before the command rounds.
  if (interleaved.length > 0) {
    throwIfStopped();
    for (const r of checkInterleave(target, interleaved, settings, counter)) {
      results.set(r.invariant, r);
    }
  }
  const tally = new RunTally();
  const depth = settings.depth === false ? undefined : new DepthMeter(target, capabilities);
  // Kept where a harness failure or a stop, thrown out of here, can still report it.
  measured.meter = depth;
  /**
   * Rounds until every invariant of `judged` passes or fails (each failure ends a round, the
   * rest go on); returns those the time limit left unjudged. A deep round's passes leave the
   * rounds' verdicts as they were.
   */
  const rounds = (judged: Invariant[], deep?: DeepFigures): Invariant[] => {
    let left = judged;
    while (left.length > 0) {
      throwIfStopped();
      if (settings.deadline !== undefined && Date.now() > settings.deadline) break;
      const details = runRound(
        target,
        capabilities,
        left,
        settings,
        counter,
        harness,
        tally,
        depth,
        deep,
      );
      // A stop request makes every later run pass: look at it before any verdict of the round.
      if (harness.stopped !== undefined) throw new Stopped(harness.stopped);
      if (harness.finding !== undefined) throw harness.finding.failure;
      // The time limit ended a run: as an interrupted round, the rest is not judged.
      if (harness.timeLimit === true) break;
      // A round the time limit interrupted judged part of its runs: the rest is not-checked.
      if (details.interrupted && !(details.failed && details.errorInstance instanceof Violation)) {
        break;
      }
      if (!details.failed) {
        if (deep === undefined) {
          for (const inv of left) {
            results.set(inv.id, {
              target: target.id,
              invariant: inv.id,
              status: "pass",
              runs: details.numRuns,
            });
          }
        }
        return [];
      }
      const error = details.errorInstance;
      if (!(error instanceof Violation) || details.counterexample === null) throw error;
      const [config, commands] = details.counterexample;
      const found: Found = {
        violation: error,
        config,
        commands,
        path: details.counterexamplePath ?? undefined,
      };
      const inv = left.find((i) => i.id === error.invariant) as Invariant;
      const ce = toCounterexample(target, found, inv, settings.seed, counter, left);
      const known = target.knownViolations[inv.id];
      results.set(inv.id, {
        target: target.id,
        invariant: inv.id,
        status: "fail",
        runs: (deep !== undefined ? (results.get(inv.id)?.runs ?? 0) : 0) + details.numRuns,
        ...(known !== undefined ? { expected: true, reason: known } : {}),
        counterexample: ce,
      });
      left = left.filter((i) => i !== inv);
    }
    return left;
  };
  remaining = rounds(remaining);
  // The deep rounds, on every invariant the rounds passed (runner/deepRound.ts).
  const deepFigures = emptyDeepFigures();
  if (deepRunsOf(settings) > 0 && remaining.length === 0) {
    const passed = wanted.filter(
      (i) => i.ownRuns === undefined && results.get(i.id)?.status === "pass",
    );
    // What a deep round the time limit cut short left unjudged keeps the rounds' pass.
    rounds(passed, deepFigures);
  }
  for (const inv of remaining) {
    results.set(inv.id, {
      target: target.id,
      invariant: inv.id,
      status: "not-checked",
      runs: 0,
      reason: "the time limit ended the check first",
    });
  }
  throwIfStopped();
  const workloads =
    settings.workloads === false
      ? undefined
      : workloadRound(target, settings, wanted, results, counter, depth);
  const late = settings.deadline !== undefined && Date.now() > settings.deadline;
  const model =
    settings.model === false || late ? undefined : modelRound(target, settings, results, counter);
  const refinementResult = results.get("refinement");
  const cut = model?.interrupted === true;
  if ((settings.model === false || late || cut) && refinementResult?.status === "pass") {
    results.set("refinement", {
      ...refinementResult,
      status: "not-checked",
      runs: 0,
      reason: cut
        ? "judged only on the state-machine model's runs, which the time limit interrupted"
        : late
          ? "judged only on the state-machine model's runs, which the time limit left out"
          : "judged only on the state-machine model's runs, which were not asked for",
    });
  }
  const coverage = model?.coverage;
  return {
    target,
    results: wanted.map((i) => results.get(i.id) as InvariantResult),
    commands: counter.commands,
    shrinkMs: counter.shrinkMs,
    ...(coverage !== undefined ? { coverage } : {}),
    ...(depth !== undefined ? { depth: depth.summary() } : {}),
    ...(workloads !== undefined ? { workloads } : {}),
    ...(deepFigures.runs > 0 ? { deep: deepFigures } : {}),
  };
}

/**
 * The workloads as checked runs (runner/workloadCheck.ts), judged by every invariant that still
 * passes (those judged on their own runs aside); a failure replaces the pass.
 */
function workloadRound(
  target: Target,
  settings: RunSettings,
  wanted: readonly Invariant[],
  results: Map<string, InvariantResult>,
  counter: RunCounter,
  depth: DepthMeter | undefined,
): WorkloadRow[] | undefined {
  // The invariants asked for, which may be outside the table (a test's own).
  const passing = wanted.filter(
    (i) => results.get(i.id)?.status === "pass" && i.ownRuns === undefined,
  );
  if (passing.length === 0) return undefined;
  const report = checkTargetWorkloads(target, passing, settings, counter, depth);
  for (const { invariant, counterexample } of report.failures) {
    const known = target.knownViolations[invariant.id];
    results.set(invariant.id, {
      target: target.id,
      invariant: invariant.id,
      status: "fail",
      runs: results.get(invariant.id)?.runs ?? 0,
      ...(known !== undefined ? { expected: true, reason: known } : {}),
      counterexample,
    });
  }
  return report.rows;
}

/**
 * The model-driven round: every invariant that still passes (refinement is judged only here)
 * on the machine's paths and random runs. Failures replace the passes.
 */
function modelRound(
  target: Target,
  settings: RunSettings,
  results: Map<string, InvariantResult>,
  counter: RunCounter,
): { coverage: ModelCoverage; interrupted: boolean } {
  const passing = [...results.values()]
    .filter((r) => r.status === "pass")
    .map((r) => findInvariant(r.invariant) as Invariant)
    .filter((i) => i.ownRuns === undefined);
  const report = checkModel(target, passing, {
    seed: settings.seed,
    runs: settings.runs,
    ...(settings.deadline !== undefined ? { deadline: settings.deadline } : {}),
  });
  counter.commands += report.commands;
  for (const [id, ce] of report.failures) {
    const known = target.knownViolations[id];
    results.set(id, {
      target: target.id,
      invariant: id,
      status: "fail",
      runs: (results.get(id)?.runs ?? 0) + 1,
      ...(known !== undefined ? { expected: true, reason: known } : {}),
      counterexample: {
        invariant: id,
        message: ce.message,
        config: SCOPE_CONFIG,
        steps: ce.steps,
        seed: settings.seed,
        path: undefined,
        ...(ce.events !== undefined ? { events: ce.events } : {}),
      },
    });
  }
  return { coverage: report.coverage, interrupted: report.interrupted === true };
}

/**
 * The invariants a no-oops failure needs judged beside it: none when the oops comes from the
 * steps themselves, else the first invariant of the round whose observations reach it (the
 * oops then came from what that invariant asks the target). Other failures need none.
 */
function observersOf(
  target: Target,
  config: BootConfig,
  steps: readonly Step[],
  invariant: Invariant,
  round: readonly Invariant[],
): Invariant[] {
  if (invariant.id !== NO_OOPS) return [];
  const reproduces = (extra: Invariant[]) =>
    replaySteps(target, config, steps, [invariant, ...extra]).violation?.invariant === NO_OOPS;
  if (reproduces([])) return [];
  const observer = round.find((i) => i !== invariant && reproduces([i]));
  return observer === undefined ? [] : [observer];
}

/** The shrunk run as resolved steps, replayed with the one invariant, made 1-minimal. */
function toCounterexample(
  target: Target,
  found: Found,
  invariant: Invariant,
  seed: number,
  counter: RunCounter,
  round: readonly Invariant[],
): Counterexample {
  /** The run's resolved steps, replayed with these invariants judged. */
  const traceWith = (invariants: readonly Invariant[]): Step[] => {
    const session = new Session({ target, config: found.config, invariants, auditEvery: 1 });
    try {
      fc.modelRun(() => ({ model: session, real: session }), found.commands);
      session.finish();
    } catch (e) {
      if (!(e instanceof Violation)) throw e;
    }
    return [...session.trace];
  };
  let trace = traceWith([invariant]);
  // An oops may come only from what another invariant of the round asks the target: then the
  // run is replayed as the round ran it, and that invariant is judged beside.
  if (
    invariant.id === NO_OOPS &&
    replaySteps(target, found.config, trace, [invariant]).violation?.invariant !== NO_OOPS
  ) {
    trace = traceWith(round);
  }
  const minimizing = performance.now();
  const observers = observersOf(target, found.config, trace, invariant, round);
  const judged = [invariant, ...observers];
  const steps = minimizeSteps(target, found.config, trace, invariant, observers);
  const final = replaySteps(target, found.config, steps, judged);
  counter.shrinkMs += performance.now() - minimizing;
  if (final.violation?.invariant !== invariant.id) {
    throw new Error(
      `${target.id}: the minimised counterexample for ${invariant.id} does not reproduce (a bug of the runner)`,
    );
  }
  counter.commands += trace.length + steps.length * (steps.length + 1);
  return {
    invariant: invariant.id,
    message: final.violation.detail,
    config: found.config,
    steps,
    ...(observers.length > 0 ? { observers: observers.map((o) => o.id) } : {}),
    seed,
    path: found.path,
  };
}
