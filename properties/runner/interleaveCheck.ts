/**
 * The concurrent round of a check: the invariants judged on interleaved runs (`ownRuns:
 * "interleavings"`: linearizability, data-race, lock-order, interleaving-safety,
 * between-sections) on a target with the `threads` capability. fast-check draws scenarios
 * (runner/interleaveScenario.ts: a set-up, threads of calls, a schedule) from the check's seed;
 * each is run on a fresh allocator and judged by every invariant still unjudged; the first
 * failure is shrunk (fewer and smaller calls, a schedule closer to the sequential one), charged
 * to the invariant it broke, and the round goes on for the rest. lock-order is judged on the
 * edges of every run of the round together.
 *
 *   scenarios ──run──> findings ──> linearizability · data-race · interleaving-safety · between-sections
 *                 └──> lock edges of all runs ──> lock-order (a cycle)
 */
import fc from "fast-check";
import type { Target } from "../engine/target.ts";
import { Observer } from "../engine/observer.ts";
import { applicable, INVARIANTS, type Invariant } from "../invariants/index.ts";
import { SAFETY_CONJUNCTS } from "../invariants/interleavingSafety.ts";
import {
  checkLinearizable,
  formatTrace,
  LockOrder,
  pcpu_lock,
  runInterleaved,
  type Finding,
  type PointInvariant,
  type Run,
} from "../interleave/index.ts";
import type { ConcurrentCall, ConcurrentResult } from "../../impl/sections/index.ts";
import { Stopped, stopRequested } from "../../impl/stop.ts";
import type { BootConfig } from "../../impl/allocator.ts";
import { PAGE_SIZE } from "../../impl/machine/index.ts";
import {
  materialize,
  observeFinal,
  scenarioArbitrary,
  sequentialSpec,
  start,
  systemOf,
  type Materialized,
  type Scenario,
} from "./interleaveScenario.ts";
import type { InvariantResult, RunCounter, RunSettings } from "./checkTarget.ts";

/** What a counterexample file keeps of an interleaved failure: enough to run it again. */
export interface InterleaveCounterexample {
  readonly setup: Scenario["setup"];
  readonly threads: Materialized["threads"];
  readonly schedule: readonly number[];
  /** The sections as they ran ("T1 alloc 8: area found at chunk 1 off 0x0, lock dropped"). */
  readonly sections: readonly string[];
}

/** The topology of the concurrent rounds: 4 CPUs on 2 nodes, all possible and online. */
export const INTERLEAVE_BOOT: BootConfig = {
  nrCpus: 4,
  nrNodes: 2,
  cpuToNode: [0, 0, 1, 1],
  pageSize: PAGE_SIZE,
  possible: [0, 1, 2, 3],
  present: [0, 1, 2, 3],
  online: [0, 1, 2, 3],
};
/** Threads of a concurrent round (callers and the balance worker) and choices of a schedule. */
export const INTERLEAVE_THREADS = 3;
export const INTERLEAVE_SCHEDULE = 24;

/** Concurrent runs per check of `runs` command runs per round. */
export function interleaveRuns(runs: number): number {
  return Math.max(1, Math.ceil(runs / 2));
}

const EMPTY_RUN: Run<ConcurrentCall, ConcurrentResult> = {
  trace: [],
  calls: [],
  accesses: [],
  edges: [],
  findings: [],
  completed: true,
  ran: [],
};

/** The invariants of the target's design judged on a state alone, between sections. */
function pointInvariants(target: Target): Invariant[] {
  return applicable(INVARIANTS, target).filter((i) => i.atPoint !== undefined);
}

/** The invariant a finding is charged to, and its message as the row shows it. */
function chargedTo(f: Finding): { id: string; message: string } {
  if ((SAFETY_CONJUNCTS as readonly string[]).includes(f.invariant)) {
    return { id: "interleaving-safety", message: `${f.invariant}: ${f.message}` };
  }
  if (f.invariant === "linearizability" || f.invariant === "data-race") {
    return { id: f.invariant, message: f.message };
  }
  return { id: "between-sections", message: `${f.invariant}: ${f.message}` };
}

export interface JudgedRun {
  readonly materialized: Materialized;
  readonly run: Run<ConcurrentCall, ConcurrentResult>;
  /** Each finding with the invariant it is charged to. */
  readonly findings: readonly { id: string; message: string }[];
}

/**
 * Runs one scenario on a fresh allocator of the target and judges it by `judged` (ids); the
 * same scenario gives the same run. Exported for replay.
 */
export function judgeScenario(
  target: Target,
  scenario: Scenario,
  judged: ReadonlySet<string>,
  config: BootConfig = INTERLEAVE_BOOT,
): JudgedRun {
  const m = materialize(target.create, config, scenario);
  return judgeMaterialized(target, m, judged);
}

/** Runs materialized threads (a counterexample file's) and judges the run. */
export function judgeMaterialized(
  target: Target,
  m: Materialized,
  judged: ReadonlySet<string>,
): JudgedRun {
  const s = start(target.create, m.config, m.setup);
  // No thread left (each free named a pointer the set-up did not leave): nothing runs.
  if (m.threads.length === 0) return { materialized: m, run: EMPTY_RUN, findings: [] };
  const points: PointInvariant[] = judged.has("between-sections")
    ? pointInvariants(target).map((i) => ({
        id: i.id,
        unlessHeld: i.atPointUnless ?? [pcpu_lock],
        check: () => i.atPoint?.(new Observer(s.allocator)),
      }))
    : [];
  const run = runInterleaved({
    threads: m.threads,
    system: systemOf(s),
    schedule: m.schedule,
    ...(judged.has("data-race") ? { shared: s.system.shared } : {}),
    points,
  });
  const findings = run.findings.map(chargedTo);
  if (judged.has("linearizability") && run.completed && run.findings.length === 0) {
    const verdict = checkLinearizable(
      run.calls,
      sequentialSpec(target.create, m),
      observeFinal(s.allocator),
    );
    if (!verdict.ok) findings.push({ id: "linearizability", message: verdict.explanation });
  }
  return { materialized: m, run, findings: findings.filter((f) => judged.has(f.id)) };
}

/** The interleaved failure as a counterexample file keeps it. */
export function interleaveCounterexample(j: JudgedRun): InterleaveCounterexample {
  const m = j.materialized;
  return {
    setup: m.setup,
    threads: m.threads,
    schedule: j.run.ran,
    sections: formatTrace(j.run),
  };
}

/** The results of the concurrent round for `wanted` (the target's interleavings invariants). */
export function checkInterleave(
  target: Target,
  wanted: readonly Invariant[],
  settings: RunSettings,
  counter: RunCounter,
): InvariantResult[] {
  const results = new Map<string, InvariantResult>();
  const numRuns = interleaveRuns(settings.runs);
  const order = new LockOrder();
  // What no run shows: reclaim may write back through a filesystem and take its locks.
  order.declare(
    "fs_reclaim",
    "fs_lock",
    "reclaim may take a filesystem's locks (writeback, shrinkers)",
  );
  let left = wanted.filter((i) => i.id !== "lock-order").map((i) => i.id);
  // between-sections with no structural invariant to judge a state alone would judge nothing.
  if (left.includes("between-sections") && pointInvariants(target).length === 0) {
    results.set("between-sections", {
      target: target.id,
      invariant: "between-sections",
      status: "not-checked",
      runs: 0,
      reason: "no invariant of the design judges a state alone (atPoint)",
    });
    left = left.filter((id) => id !== "between-sections");
  }
  let runs = 0;
  let lockRuns = 0;
  const arbitrary = scenarioArbitrary(INTERLEAVE_THREADS, INTERLEAVE_SCHEDULE);
  // At least one round, for lock-order alone too: its edges come from the rounds' runs.
  for (let round = 0; left.length > 0 || round === 0; round++) {
    if (settings.deadline !== undefined && Date.now() > settings.deadline) break;
    const judged = new Set(left);
    const property = fc.property(arbitrary, (scenario) => {
      const signal = stopRequested();
      if (signal !== 0) throw new Stopped(signal);
      const j = judgeScenario(target, scenario, judged);
      counter.commands += j.run.calls.length;
      order.record(j.run.edges, `concurrent run ${++lockRuns}`);
      return j.findings.length === 0;
    });
    const details = fc.check(property, {
      seed: settings.seed,
      numRuns,
      ...(settings.deadline !== undefined
        ? { interruptAfterTimeLimit: Math.max(1, settings.deadline - Date.now()) }
        : {}),
    });
    if (details.errorInstance instanceof Stopped) throw details.errorInstance;
    runs += details.numRuns;
    if (!details.failed) {
      if (details.interrupted) break;
      for (const id of left) {
        results.set(id, { target: target.id, invariant: id, status: "pass", runs: numRuns });
      }
      break;
    }
    if (details.counterexample === null) {
      const e: unknown = details.errorInstance;
      throw e instanceof Error
        ? e
        : new Error(`${target.id}: a concurrent run failed with no scenario`);
    }
    const [shrunk] = details.counterexample;
    const found = judgeScenario(target, shrunk, judged).findings[0];
    if (found === undefined) {
      throw new Error(
        `${target.id}: the shrunk concurrent run does not fail again (a bug of the runner)`,
      );
    }
    const j = fewerSections(target, shrunk, found.id);
    const first = j.findings.find((f) => f.id === found.id) ?? found;
    results.set(first.id, failed(target, first.id, first.message, j, settings, runs));
    left = left.filter((id) => id !== first.id);
  }
  if (wanted.some((i) => i.id === "lock-order") && lockRuns > 0) {
    const cycle = order.cycle();
    results.set(
      "lock-order",
      cycle === undefined
        ? { target: target.id, invariant: "lock-order", status: "pass", runs: lockRuns }
        : {
            target: target.id,
            invariant: "lock-order",
            status: "fail",
            runs: lockRuns,
            ...known(target, "lock-order"),
            counterexample: {
              invariant: "lock-order",
              message: cycle.message,
              config: INTERLEAVE_BOOT,
              steps: [],
              seed: settings.seed,
              path: undefined,
            },
          },
    );
  }
  return wanted.map(
    (i) =>
      results.get(i.id) ?? {
        target: target.id,
        invariant: i.id,
        status: "not-checked",
        runs: 0,
        reason: "the time limit ended the check first",
      },
  );
}

/**
 * fast-check shrinks a scenario's values (fewer set-up allocations, calls and threads, smaller
 * sizes, an earlier schedule), not the number of sections its run takes: an empty set-up makes
 * the first allocation create and populate a chunk. This pass takes each change that keeps the
 * failure of `id` and makes the run shorter (a small allocation done in the set-up instead, a
 * call, a thread or the worker left out), until none does.
 */
function fewerSections(target: Target, scenario: Scenario, id: string): JudgedRun {
  const judged = new Set([id]);
  const judge = (s: Scenario) => judgeScenario(target, s, judged);
  let best = scenario;
  let run = judge(best);
  for (let improved = true; improved;) {
    improved = false;
    for (const candidate of shorterCandidates(best)) {
      const tried = judge(candidate);
      if (tried.findings.length > 0 && tried.run.ran.length < run.run.ran.length) {
        best = candidate;
        run = tried;
        improved = true;
        break;
      }
    }
  }
  return run;
}

/** The scenarios one change away from `s` that may run fewer sections. */
function* shorterCandidates(s: Scenario): Generator<Scenario> {
  if (s.setup.length < 6) yield { ...s, setup: [...s.setup, { size: 4, align: 4 }] };
  for (let k = 0; k < s.setup.length; k++) {
    yield { ...s, setup: s.setup.filter((_, j) => j !== k) };
  }
  if (s.worker > 0 && s.callers.length >= 1) yield { ...s, worker: 0 };
  for (let t = 0; t < s.callers.length; t++) {
    const calls = s.callers[t] as Scenario["callers"][number];
    if (s.callers.length + (s.worker > 0 ? 1 : 0) > 1) {
      yield { ...s, callers: s.callers.filter((_, k) => k !== t) };
    }
    for (let c = 0; calls.length > 1 && c < calls.length; c++) {
      const fewer = calls.filter((_, k) => k !== c);
      yield { ...s, callers: s.callers.map((x, k) => (k === t ? fewer : x)) };
    }
  }
}

function known(target: Target, id: string): { expected?: true; reason?: string } {
  const why = target.knownViolations[id];
  return why === undefined ? {} : { expected: true, reason: why };
}

function failed(
  target: Target,
  id: string,
  message: string,
  j: JudgedRun,
  settings: RunSettings,
  runs: number,
): InvariantResult {
  return {
    target: target.id,
    invariant: id,
    status: "fail",
    runs,
    ...known(target, id),
    counterexample: {
      invariant: id,
      message,
      config: j.materialized.config,
      steps: [],
      seed: settings.seed,
      path: undefined,
      interleave: interleaveCounterexample(j),
    },
  };
}
