/**
 * `pcpu-verify check`: runs the invariants on revisions and mutants with fast-check, writes
 * every failing run as a counterexample file, and reports per target and in sum.
 *
 * Exit code (cli/exitCodes.ts): 0 when nothing fails unexpectedly (a failure a revision is
 * known for by design, or a mutant's seeded bug and its consequences, is expected) and every
 * unit was judged; 1 when an invariant fails unexpectedly or a mutant survives; 2 for a usage
 * error, found before any work (an empty selection, an output path that cannot be written);
 * 3 when an external harness crashed, hung or broke the protocol (its failure is one row, the
 * rest of its target not-checked, and the run so far is a file); 4 when a unit was left
 * not-checked (a time limit, a capability the target lacks), 0 with `--allow-incomplete`;
 * 128+N when signal N stopped it (what was judged is printed, the rest "interrupted by ...").
 *
 * What is judged, what a failure means and what is planned live with the runner
 * (properties/runner/selection.ts, verdict.ts); this file parses nothing and prints.
 */
import {
  chunkCoverageJson,
  chunkCoverageText,
  type ChunkCoverageJson,
} from "./chunkCoverageText.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  ALL_TARGETS,
  TargetJobs,
  asExternal,
  byTarget,
  checkTarget,
  consequenceOf,
  counterexampleFileName,
  deepLine,
  depthLines,
  describeStep,
  emptySelection,
  expectedReason,
  externalTarget,
  formatCounterexample,
  interruptedReason,
  modelFor,
  notPlannedLines,
  planCheck,
  selectInvariants,
  selectTargets,
  signalName,
  survived,
  toFile,
  type DeepFigures,
  type DepthJson,
  type JobSettings,
  type Shard,
  type TargetReport,
  type Invariant,
  type InvariantResult,
  type RunProgress,
  type ChurnFigures,
  type ChurnParams,
  type Step,
  type Target,
} from "../properties/index.ts";
import { isHarnessFailureKind } from "../impl/external/index.ts";
import { Stopped, stopRequested } from "../impl/stop.ts";
import type { CliIo } from "./cliIo.ts";
import { EXIT_FAIL, EXIT_HARNESS, EXIT_INCOMPLETE, exitForSignal, worstExit } from "./exitCodes.ts";
import {
  coverageText,
  resultJson,
  summary,
  targetReport,
  withoutKind,
  type Row,
} from "./checkOutput.ts";
import { junitXml } from "./junit.ts";
import { workloadLines, workloadRowJson, type WorkloadRowJson } from "./workloadRows.ts";
import { checkOutputDir, checkOutputFile } from "./outputPaths.ts";
import { formatDuration, formatTopology, plural } from "./format.ts";
import { statusLine } from "./progress.ts";
import { UsageError } from "./usageError.ts";

/** The default seed, printed in every report so that a CI failure can be run again. */
export const DEFAULT_SEED = 20051;
export const DEFAULT_RUNS = 200;
export const DEFAULT_MAX_COMMANDS = 60;
/** The command line's `--jobs` by default: the machine's cores, up to this many. */
export const MAX_DEFAULT_JOBS = 8;

/** `--jobs` when not given: one worker per core, at most MAX_DEFAULT_JOBS. */
export function defaultJobs(): number {
  return Math.max(1, Math.min(availableParallelism(), MAX_DEFAULT_JOBS));
}
/**
 * Where counterexample files go, relative to the working directory: a folder of its own that
 * git ignores, not the committed corpus (counterexamples/, refreshed by `npm run corpus`).
 */
export const DEFAULT_OUT = "pcpu-verify-out";

/** The options of a bare `pcpu-verify check`. */
export function defaultCheckOptions(): CheckOptions {
  return {
    seed: DEFAULT_SEED,
    runs: DEFAULT_RUNS,
    maxCommands: DEFAULT_MAX_COMMANDS,
    out: DEFAULT_OUT,
  };
}

export interface CheckOptions {
  readonly revision?: readonly string[];
  readonly mutant?: readonly string[];
  readonly all?: boolean;
  /** External harnesses, as command lines. */
  readonly external?: readonly string[];
  /** How long to wait for each harness answer, in ms (default 5000). */
  readonly harnessTimeout?: number;
  readonly invariant?: readonly string[];
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  /** A full audit every K steps (default 16). */
  readonly auditEvery?: number;
  /** utilization-after-churn's least utilization after each refill, a fraction (default 0.98). */
  readonly utilizationThreshold?: number;
  /** Run only this shard of the (target, invariant) units (`--shard i/n`). */
  readonly shard?: Shard;
  /** Stop starting new work after this many seconds; what was not judged is not-checked. */
  readonly timeLimit?: number;
  /**
   * Check this many in-process targets side by side, in worker threads (`--jobs`; default 1
   * here, the CLI's default is the machine's cores up to MAX_DEFAULT_JOBS). What is printed and
   * written is the same for any number.
   */
  readonly jobs?: number;
  /** Also write a JUnit XML report here. */
  readonly junit?: string;
  readonly out: string;
  readonly json?: boolean;
  /**
   * Run the state-machine model's paths and random runs: `--model` always, `--no-model` never;
   * by default on in-process targets, not on external harnesses (their ~100,000 model commands
   * cost minutes over a pipe, and refinement, which the model exists for, is of the 2005 design).
   */
  readonly model?: boolean;
  /**
   * Judge utilization-after-churn (its churn runs): `--churn` always, `--no-churn` never; by
   * default on in-process targets, not on external harnesses (properties/runner/selection.ts).
   */
  readonly churn?: boolean;
  /** Accept units left not-checked: exit 0 instead of 4 (they are still printed). */
  readonly allowIncomplete?: boolean;
  /** A depth goal not met fails the check (exit 1); by default it is only reported. */
  readonly requireDepth?: boolean;
  /** Run the workloads as checked runs (`--no-workloads`: not); default on. */
  readonly workloads?: boolean;
}

export interface CheckResultJson {
  target: string;
  invariant: string;
  status: InvariantResult["status"];
  runs: number;
  expected?: true;
  /** A mutant's failure that repeats its base revision's by design (no file is written). */
  consequence_of?: string;
  reason?: string;
  counterexample?: {
    file: string;
    length: number;
    commands: Step[];
    message: string;
    /** A failure judged on churn rounds: its workload, threshold and figures. */
    churn?: { workload: ChurnParams; threshold: number } & ChurnFigures;
  };
}

/** Coverage of the state-machine model: [covered, total] of each kind. */
export interface CoverageJson {
  states: [number, number];
  transitions: [number, number];
  guards: [number, number];
  pairs: [number, number];
}

export interface CheckJson {
  seed: number;
  commands: number;
  elapsed_ms: number;
  results: CheckResultJson[];
  /** Per target, the model coverage of its model-driven runs (absent with --no-model). */
  coverage?: Record<string, CoverageJson>;
  /** Per target judged by chunk-lifecycle, the chunk machine's coverage by its runs. */
  chunk_coverage?: Record<string, ChunkCoverageJson>;
  /** Per target, how deep its generated runs went and its depth goals (properties/depth). */
  depth?: Record<string, DepthJson>;
  /** Per target, the workloads' checked runs (properties/runner/workloadCheck.ts). */
  workloads?: Record<string, WorkloadRowJson[]>;
  /** Per target, what its deep rounds ran (runner/deepRound.ts; absent where none ran). */
  deep?: Record<string, DeepFigures>;
  /** Units left out of the plan because the options leave them unjudgeable. */
  not_planned?: { target: string; invariant: string; reason: string }[];
  /** Some unit is not-checked (a time limit, a missing capability, a stop). */
  incomplete?: true;
  /** The signal that stopped the check ("SIGINT", "SIGTERM"). */
  interrupted_by?: string;
  /** The exit code of this check (cli/exitCodes.ts). */
  exit_code: number;
}

/**
 * Runs the check; `catalogue` is where target ids are looked up (every target by default).
 * A selection with nothing to judge, or an output path that cannot be written, is a
 * `UsageError` thrown before any work.
 */
export function checkCommand(
  options: CheckOptions,
  io: CliIo,
  catalogue: readonly Target[] = ALL_TARGETS,
): number {
  const started = performance.now();
  const externals = (options.external ?? []).map((command) =>
    externalTarget(command, { timeoutMs: options.harnessTimeout }),
  );
  const selected = [...selectTargets(options, catalogue), ...externals];
  const invariants = selectInvariants(options.invariant);
  const checkPlan = planCheck(selected, invariants, {
    model: options.model,
    churn: options.churn,
    shard: options.shard,
  });
  const empty = emptySelection(selected, options.invariant, checkPlan, options.shard);
  if (empty !== undefined) throw new UsageError(`check: ${empty}`);
  checkOutputDir("--out", options.out);
  if (options.junit !== undefined) checkOutputFile("--junit", options.junit);

  const { units, planned, notPlanned } = checkPlan;
  const status = statusLine(io);
  const human = options.json
    ? () => {}
    : (lines: string[]) => {
        status.clear();
        io.out(`${lines.join("\n")}\n`);
      };
  const plan = byTarget(planned);
  const targets = plan.map((p) => p.target);
  const deadline =
    options.timeLimit !== undefined ? Date.now() + options.timeLimit * 1000 : undefined;

  human([
    `pcpu-verify check: seed ${options.seed}, ${plural(options.runs, "run")} per round, at most ${plural(options.maxCommands, "command")} per run`,
    `${plural(targets.length, "target")}, ${plural(invariants.length, "invariant")}; counterexamples go to ${options.out}`,
    ...notPlannedLines(notPlanned),
    ...(options.shard !== undefined
      ? [
          `shard ${options.shard.index}/${options.shard.count}: ${planned.length} of ${plural(units.length, "(target, invariant) unit")}`,
        ]
      : []),
    ...(options.timeLimit !== undefined ? [`time limit ${options.timeLimit} s`] : []),
  ]);

  const rows: Row[] = [];
  const coverage: Record<string, CoverageJson> = {};
  const chunkCoverage: Record<string, ChunkCoverageJson> = {};
  const depth: Record<string, DepthJson> = {};
  const workloadRuns: Record<string, WorkloadRowJson[]> = {};
  const deep: Record<string, DeepFigures> = {};
  let commands = 0;
  let madeOut = false;
  let stopped: number | undefined;
  const harnessFailures: string[] = [];
  const settingsOf = (target: Target): JobSettings => ({
    seed: options.seed,
    runs: options.runs,
    maxCommands: options.maxCommands,
    model: modelFor(target, options.model),
    auditEvery: options.auditEvery,
    ...(options.utilizationThreshold !== undefined
      ? { utilizationThreshold: options.utilizationThreshold }
      : {}),
    ...(options.workloads === false ? { workloads: false } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
  });
  // The targets a worker can check go to workers when there are jobs to share; the rest here.
  const pool =
    (options.jobs ?? 1) > 1 ? TargetJobs.forPlan(plan, settingsOf, options.jobs ?? 1) : undefined;
  try {
    for (const [index, { target, invariants: mineInvariants }] of plan.entries()) {
      const signal = stopRequested();
      if (stopped === undefined && signal !== 0) stopped = signal;
      let report: TargetReport;
      try {
        if (stopped !== undefined) {
          report = notReached(target, mineInvariants, interruptedReason(stopped));
        } else if (deadline !== undefined && Date.now() > deadline) {
          report = notReached(target, mineInvariants, "the time limit ended the check first");
        } else {
          const progress = (p: RunProgress) =>
            status.show(
              `check: target ${index + 1}/${plan.length} ${target.id}, round ${p.round}, ${plural(p.runs, "run")}, ${formatDuration(performance.now() - started)}`,
            );
          progress({ round: 1, runs: 0 });
          report = pool?.has(index)
            ? pool.take(index, target)
            : checkTarget(target, {
                ...settingsOf(target),
                invariants: mineInvariants,
                onRun: progress,
              });
          if (report.stopped !== undefined) stopped = report.stopped;
        }
      } finally {
        closeTarget(target);
      }
      commands += report.commands;
      const written = new Map<string, string>();
      const mine: Row[] = report.results.map((result) => {
        const expected = expectedReason(target, result);
        const consequence = consequenceOf(target, result);
        const harness = isHarnessFailureKind(result.status);
        const row = { target, result, expected, consequenceOf: consequence, file: undefined };
        // A failure that repeats the base revision's by design is a consequence: no file.
        if ((result.status !== "fail" && !harness) || consequence !== undefined) return row;
        if (!madeOut) {
          mkdirSync(options.out, { recursive: true });
          madeOut = true;
        }
        // A harness failure is one finding for the target: one file, named after its kind.
        const name = harness ? result.status : result.invariant;
        let file = written.get(name);
        if (file === undefined) {
          file = join(options.out, counterexampleFileName(target, name));
          writeFileSync(file, formatCounterexample(toFile(target, result, expected !== undefined)));
          written.set(name, file);
        }
        return { ...row, file };
      });
      if (report.harnessFailure !== undefined) {
        const failure = report.harnessFailure;
        harnessFailures.push(target.id);
        const ce = failure.counterexample;
        human([
          "",
          `${target.id}: ${failure.failure.kind.toUpperCase()}`,
          ...withoutKind(failure.failure.kind, failure.failure.message)
            .split("\n")
            .map((l) => `  ${l}`),
          `  topology: ${formatTopology(ce.config)}`,
          `  steps sent in that run (${plural(ce.steps.length, "step")}):`,
          ...ce.steps.map((s, i) => `  ${String(i).padStart(3)}  ${describeStep(s)}`),
          `  file: ${written.get(failure.failure.kind) ?? "(none)"}`,
        ]);
      }
      rows.push(...mine);
      human(targetReport(target, mine));
      if (report.coverage !== undefined) {
        coverage[target.id] = report.coverage;
        human([`  model coverage: ${coverageText(report.coverage)}`]);
      }
      if (report.chunkCoverage !== undefined) {
        chunkCoverage[target.id] = chunkCoverageJson(report.chunkCoverage);
        human([`  chunk lifecycle coverage: ${chunkCoverageText(report.chunkCoverage)}`]);
      }
      if (report.workloads !== undefined) {
        workloadRuns[target.id] = report.workloads.map((r) => workloadRowJson(r, written));
        human(workloadLines(report.workloads, written));
      }
      if (report.depth !== undefined) {
        depth[target.id] = report.depth;
        human(depthLines(report.depth));
      }
      if (report.deep !== undefined) {
        deep[target.id] = report.deep;
        human([deepLine(report.deep)]);
      }
    }
  } finally {
    pool?.close();
  }
  for (const t of externals) closeTarget(t);
  status.clear();
  const elapsed = performance.now() - started;
  const unexpected = rows.filter((r) => r.result.status === "fail" && r.expected === undefined);
  const survivors = rows.filter((r) => survived(r.target, r.result));
  const notChecked = rows.filter((r) => r.result.status === "not-checked");
  const shallow = Object.entries(depth)
    .filter(([, d]) => !d.goals_met)
    .map(([id]) => id);
  const code =
    stopped !== undefined
      ? exitForSignal(stopped)
      : worstExit([
          ...(harnessFailures.length > 0 ? [EXIT_HARNESS] : []),
          ...(unexpected.length > 0 || survivors.length > 0 ? [EXIT_FAIL] : []),
          ...(options.requireDepth === true && shallow.length > 0 ? [EXIT_FAIL] : []),
          ...(notChecked.length > 0 && !options.allowIncomplete ? [EXIT_INCOMPLETE] : []),
        ]);
  if (options.junit !== undefined) {
    const cases = rows.map((r) => ({
      result: resultJson(r),
      survived: survived(r.target, r.result),
    }));
    writeFileSync(options.junit, junitXml(cases, elapsed, options.seed));
  }
  if (deadline !== undefined) {
    const judged = rows.length - notChecked.length;
    human([
      "",
      `time limit ${options.timeLimit} s: ${Date.now() > deadline ? "reached" : "not reached"}; ${judged} of ${plural(rows.length, "(target, invariant) unit")} judged${judged < rows.length ? ", the rest not-checked" : ""}`,
    ]);
  }

  if (options.json) {
    const json: CheckJson = {
      seed: options.seed,
      commands,
      elapsed_ms: Math.round(elapsed),
      results: rows.map(resultJson),
      ...(Object.keys(coverage).length > 0 ? { coverage } : {}),
      ...(Object.keys(chunkCoverage).length > 0 ? { chunk_coverage: chunkCoverage } : {}),
      ...(Object.keys(depth).length > 0 ? { depth } : {}),
      ...(Object.keys(workloadRuns).length > 0 ? { workloads: workloadRuns } : {}),
      ...(Object.keys(deep).length > 0 ? { deep } : {}),
      ...(notPlanned.length > 0
        ? {
            not_planned: notPlanned.map((n) => ({
              target: n.target.id,
              invariant: n.invariant.id,
              reason: `${n.reason}: ${n.remedy}`,
            })),
          }
        : {}),
      ...(notChecked.length > 0 ? { incomplete: true as const } : {}),
      ...(stopped !== undefined ? { interrupted_by: signalName(stopped) } : {}),
      exit_code: code,
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    human(
      summary(targets, rows, {
        commands,
        elapsed,
        seed: options.seed,
        code,
        stopped,
        allowIncomplete: options.allowIncomplete === true,
        ...(options.requireDepth === true ? { shallow } : {}),
      }),
    );
  }
  return code;
}

/**
 * Ends a target's harness processes: `quit` and reap, or at once (SIGKILL to each process
 * group) after a stop request, which leaves no time for a harness that takes its time to quit.
 */
function closeTarget(target: Target): void {
  const external = asExternal(target);
  if (external === undefined) return;
  if (stopRequested() !== 0) {
    for (const pid of external.pids()) {
      for (const p of [-pid, pid]) {
        try {
          process.kill(p, "SIGKILL");
        } catch {
          // ESRCH: already gone.
        }
      }
    }
  }
  try {
    external.close();
  } catch (e) {
    if (!(e instanceof Stopped)) throw e;
  }
}

/** A target the time limit or a stop request left out: every invariant not-checked. */
function notReached(
  target: Target,
  invariants: readonly Invariant[],
  reason: string,
): TargetReport {
  return {
    target,
    commands: 0,
    results: invariants.map((i) => ({
      target: target.id,
      invariant: i.id,
      status: "not-checked" as const,
      runs: 0,
      reason,
    })),
  };
}
