/**
 * The property: for schedules drawn by fast-check (arrays of thread choices, so they shrink like
 * any value towards fewer and earlier choices), run the threads, and judge each run by what the
 * scheduler found (deadlock, lock misuse, sleeping in atomic context), by the data-race check,
 * and by linearizability against a sequential specification. The first failing schedule is
 * shrunk; the result carries it, its run and its trace. Edges are fed to a lock-order graph
 * across all runs when one is given.
 */
import fc from "fast-check";
import type { Finding } from "./finding.ts";
import { checkLinearizable, type SequentialSpec } from "./linearizability.ts";
import type { LockOrder } from "./lockOrder.ts";
import type { SharedField } from "./races.ts";
import {
  formatTrace,
  runInterleaved,
  type PointInvariant,
  type Run,
  type System,
  type ThreadSpec,
} from "./run.ts";

export interface InterleaveCheck<S, C, R, O> {
  readonly threads: readonly ThreadSpec<C>[];
  /**
   * A fresh system for each run, how to observe its final state for the spec's final check, and
   * the invariants to judge on it between sections.
   */
  readonly setup: () => {
    readonly system: System<C, R>;
    readonly observe?: () => O;
    readonly points?: readonly PointInvariant[];
  };
  readonly spec?: SequentialSpec<S, C, R, O>;
  readonly shared?: readonly SharedField[];
  readonly lockOrder?: LockOrder;
  readonly seed: number;
  readonly numRuns?: number;
  /** The longest schedule drawn (choices past its end go to the lowest runnable thread). */
  readonly maxSchedule?: number;
}

export interface InterleaveResult<C, R> {
  readonly ok: boolean;
  /** The shrunk failing schedule, its run and its findings, when a run failed. */
  readonly schedule?: readonly number[];
  readonly run?: Run<C, R>;
  readonly findings: readonly Finding[];
  /** The failing run as printable lines: the schedule, each section, each finding. */
  readonly lines: readonly string[];
  /** What a counterexample file records, to replay the failing run. */
  readonly counterexample?: InterleaveCounterexample<C>;
}

/** The threads with their calls, the schedule, and what was seen: replayable as data. */
export interface InterleaveCounterexample<C> {
  readonly threads: readonly ThreadSpec<C>[];
  readonly schedule: readonly number[];
  readonly sections: readonly string[];
  readonly findings: readonly Finding[];
}

/** A schedule of `threads` threads: an array of choices, each a thread index. */
export function scheduleArbitrary(threads: number, maxLength: number): fc.Arbitrary<number[]> {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`scheduleArbitrary: expected a positive number of threads, got ${threads}`);
  }
  return fc.array(fc.nat({ max: threads - 1 }), { maxLength });
}

/** Runs one schedule and judges it: the scheduler's findings, races, then linearizability. */
export function judgeSchedule<S, C, R, O>(
  check: Omit<InterleaveCheck<S, C, R, O>, "seed">,
  schedule: readonly number[],
): { run: Run<C, R>; findings: Finding[] } {
  const { system, observe, points } = check.setup();
  const run = runInterleaved({
    threads: check.threads,
    system,
    schedule,
    ...(check.shared ? { shared: check.shared } : {}),
    ...(points ? { points } : {}),
  });
  const findings = [...run.findings];
  if (check.spec !== undefined && run.completed) {
    const verdict = checkLinearizable(run.calls, check.spec, observe?.());
    if (!verdict.ok) findings.push({ invariant: "linearizability", message: verdict.explanation });
  }
  return { run, findings };
}

export function checkInterleavings<S, C, R, O>(
  check: InterleaveCheck<S, C, R, O>,
): InterleaveResult<C, R> {
  const maxSchedule = check.maxSchedule ?? 8 * check.threads.length;
  let runs = 0;
  const property = fc.property(scheduleArbitrary(check.threads.length, maxSchedule), (schedule) => {
    const { run, findings } = judgeSchedule(check, schedule);
    check.lockOrder?.record(run.edges, `run ${++runs}`);
    return findings.length === 0;
  });
  const details = fc.check(property, { seed: check.seed, numRuns: check.numRuns ?? 200 });
  if (!details.failed) return { ok: true, findings: [], lines: [] };
  if (details.counterexample === null) {
    throw new Error(
      `checkInterleavings: the property failed without a schedule: ${String(details.errorInstance)}`,
    );
  }
  const [schedule] = details.counterexample;
  const { run, findings } = judgeSchedule(check, schedule);
  const lines = [
    `schedule [${schedule.join(", ")}]`,
    ...formatTrace(run),
    ...findings.map((f) => `${f.invariant}: ${f.message}`),
  ];
  const counterexample = { threads: check.threads, schedule, sections: formatTrace(run), findings };
  return { ok: false, schedule, run, findings, lines, counterexample };
}
