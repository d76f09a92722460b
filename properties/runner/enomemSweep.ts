/**
 * The exhaustive ENOMEM sweep: one fixed workload, run once for every page allocation it makes,
 * with that allocation failing. Where random runs inject a failure here and there, the sweep
 * hits every allocation site the workload reaches: the first management page of a block, the
 * last slice page, a kmalloc slab, a populate of a chunk's pages, the teardown's reclaim.
 *
 *   clean run:  fail_page_alloc(after 0, count 0), workload ...      N page allocations
 *   run k:      fail_page_alloc(after k, count 1), workload ...      the k-th one fails
 *
 *               page allocations:  0   1   2  ...  k  ...  N-1
 *                                  ok  ok  ok      X   ok ... ok      (k = 0 .. N-1)
 *               k = N: nothing fails (the end of the range, checked)
 *
 * Every run replays the steps with `replaySteps` (a Session per run, the same engine as
 * checks and counterexample files) and judges failure-atomicity and no-leak, with integrity
 * (failure-atomicity leaves the contents to it) and no-oops (an unwind that raises is a
 * finding, not a run that stops quietly), and the design's white-box invariants (a failed
 * allocation keeps no area of its own, where a design's retained pool lets it keep a chunk or
 * pages). A run in which the allocator contradicts the model
 * where no judged invariant objects (a valid request refused, a second ENOMEM) is a finding too.
 *
 * The workload (`enomemWorkload`) derives its sizes from the target's largest size M: objects
 * of M/2 (two to a 2005 block of 8 KiB, two to a 32 KiB chunk unit) mixed with M/4, M/8, M and
 * small ones, so that every design creates three or more blocks or chunks, fills one, empties
 * some in an interleaved order, reclaims, brings a CPU up and down, and allocates again.
 *
 * N comes from the simulated machine of an in-process target (its page allocator counts); for
 * a target without one (an external harness) the sweep goes on until an armed failure no
 * longer fires, as the model sees it, up to `maxK`.
 * Source: the rollbacks it exercises, mm/slab.c 2.6.10 __alloc_percpu's unwind
 * (`while (--i >= 0) ... kfree(pdata)`), the 2005 block's error path, mm/percpu-vm.c
 * pcpu_alloc_pages' `while (--i >= page_start) __free_page(...)`: a page-allocation failure at
 * any point must leave no leak and no half-made object.
 */
import type { BootConfig, Capability } from "../../impl/index.ts";
import { SimulatedAllocator } from "../../impl/index.ts";
import type { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import { applicable, findInvariant, INVARIANTS, type Invariant } from "../invariants/index.ts";
import { replaySteps } from "./replay.ts";

/** The invariants every run of the sweep judges. */
export const ENOMEM_SWEEP_INVARIANTS = [
  "failure-atomicity",
  "no-leak",
  "integrity",
  "no-oops",
] as const;

/**
 * The sweep's topology: NR_CPUS 4 on 2 nodes (CPUs 0, 1 on node 0; 2, 3 on node 1), CPUs 0, 1
 * and 3 possible and present, 0 and 1 online (CPU 3 is brought up and down by the workload).
 */
export const ENOMEM_SWEEP_CONFIG: BootConfig = {
  nrCpus: 4,
  nrNodes: 2,
  cpuToNode: [0, 0, 1, 1],
  possible: [0, 1, 3],
  present: [0, 1, 3],
  online: [0, 1],
  pageSize: 4096,
};

/**
 * The sweep's topology for a target that requires possible CPUs 0..n-1 (`densePossible`): the
 * same machine with CPU 2 (node 1) as the third possible CPU, present and offline.
 */
export const ENOMEM_SWEEP_DENSE_CONFIG: BootConfig = {
  ...ENOMEM_SWEEP_CONFIG,
  possible: [0, 1, 2],
  present: [0, 1, 2],
};

export interface EnomemSweepOptions {
  readonly config?: BootConfig;
  /** Invariant ids to judge (default ENOMEM_SWEEP_INVARIANTS). */
  readonly invariants?: readonly string[];
  /** The largest k tried when the target has no machine to count with (default 4096). */
  readonly maxK?: number;
  /** Stop at the first finding (to show that a mutant fails, not every way it does). */
  readonly firstFinding?: boolean;
}

/** One run that broke an invariant or contradicted the model. */
export interface EnomemSweepFinding {
  /** The page allocation that failed (0 = the first after arming). */
  readonly k: number;
  /** The broken invariant's id, or "diverged". */
  readonly invariant: string;
  readonly message: string;
  /** The run's steps, the arming step first: replay them with `replaySteps`. */
  readonly steps: readonly Step[];
  /** Index in `steps` of the breaking step (-1: the end-of-run checks). */
  readonly stepIndex: number;
}

export interface EnomemSweepReport {
  readonly target: string;
  readonly status: "pass" | "fail" | "not-checked";
  /** Why the sweep did not run (status not-checked). */
  readonly reason?: string;
  readonly config: BootConfig;
  readonly workload: readonly Step[];
  /**
   * Page allocations of the clean run, teardown included (undefined when the target has no
   * machine to count with): k ran from 0 to this number.
   */
  readonly pageAllocations: number | undefined;
  /** Runs made with a failure armed (k = 0, 1, ..., the last k tried). */
  readonly runs: number;
  /** Runs without a finding in which an operation answered ENOMEM. */
  readonly enomemAnswers: number;
  /** Runs without a finding in which the failure fired but no operation answered ENOMEM. */
  readonly absorbed: number;
  /** The most blocks or chunks `inspect` showed at once in the clean run (0 without it). */
  readonly maxBlocks: number;
  /** Steps of the clean run after which `inspect` showed fewer blocks than before. */
  readonly blockReleases: number;
  readonly findings: readonly EnomemSweepFinding[];
}

/** The alignment `want`, lowered to what the target honours for `size`. */
function alignFor(target: Target, size: number, want: number): number {
  return Math.min(want, target.maxAlign(size));
}

/**
 * The fixed workload, sized from the target's largest size M (see the module header):
 *
 *   alloc  M/2, 24, M/2, M/4, M/2, 100, M/2 (page aligned), M/8, M/2   three or more blocks
 *   write  o1, o5                                                      contents to keep
 *   cpu_up 3
 *   free   o1, o5, o2, then o10 = 8 bytes, free o9, o3                 interleaved emptying
 *   reclaim, cpu_down 3
 *   alloc  M, M/2, write o12; free o7, o4, o6, o8; reclaim             refill and empty again
 *   free o10, alloc 24                                                 (teardown frees the rest)
 */
export function enomemWorkload(target: Target, config: BootConfig = ENOMEM_SWEEP_CONFIG): Step[] {
  const m = target.maxSize;
  const half = Math.max(1, Math.floor(m / 2));
  const quarter = Math.max(1, Math.floor(m / 4));
  const eighth = Math.max(1, Math.floor(m / 8));
  const possible = [...config.possible].sort((a, b) => a - b);
  const first = possible[0] as number;
  const last = possible[possible.length - 1] as number;
  const spare = possible.find((cpu) => !config.online.includes(cpu)) ?? last;
  const alloc = (as: string, size: number, align: number): Step => ({
    op: "alloc",
    size,
    align: alignFor(target, size, align),
    as,
  });
  const write = (obj: string, cpu: number, offset: number, hex: string): Step => ({
    op: "write",
    obj,
    cpu,
    offset,
    hex,
  });
  const free = (obj: string): Step => ({ op: "free", obj });
  return [
    alloc("o1", half, 8),
    alloc("o2", 24, 8),
    alloc("o3", half, 8),
    write("o1", first, 0, "a1a2a3a4"),
    alloc("o4", quarter, 64),
    alloc("o5", half, 8),
    alloc("o6", 100, 4),
    write("o5", last, 8, "b1b2b3b4b5b6b7b8"),
    alloc("o7", half, 4096),
    alloc("o8", eighth, 16),
    alloc("o9", half, 8),
    { op: "cpu_up", cpu: spare },
    free("o1"),
    free("o5"),
    free("o2"),
    alloc("o10", 8, 8),
    free("o9"),
    free("o3"),
    { op: "reclaim" },
    { op: "cpu_down", cpu: spare },
    alloc("o11", m, 8),
    alloc("o12", half, 8),
    write("o12", spare, 0, "c1c2"),
    free("o7"),
    free("o4"),
    free("o6"),
    free("o8"),
    // Two chunks empty at once: a design that spares one free chunk releases the other.
    free("o11"),
    { op: "reclaim" },
    free("o10"),
    alloc("o13", 24, 8),
  ];
}

/** The page allocations the allocator's machine has made so far, if it has one. */
function allocationsOf(session: Session): number | undefined {
  const a = session.allocator;
  return a instanceof SimulatedAllocator ? a.machineForInspection?.pages.allocations : undefined;
}

/** Whether the armed failure fired: the machine's injection is spent (else: the model's). */
function fired(session: Session): boolean {
  const a = session.allocator;
  const machine = a instanceof SimulatedAllocator ? a.machineForInspection : undefined;
  if (machine !== undefined) return !machine.pages.injectionPending;
  return session.model.injectedPending === 0;
}

function blocksOf(session: Session): number {
  if (!session.capabilities.has("inspect")) return 0;
  const view = session.allocator.inspect();
  return view.ok ? view.value.blocks.length : 0;
}

interface RunResult {
  readonly finding: Omit<EnomemSweepFinding, "k"> | undefined;
  readonly fired: boolean;
  readonly enomem: boolean;
  readonly allocations: number | undefined;
  readonly maxBlocks: number;
  readonly blockReleases: number;
}

function runOnce(
  target: Target,
  config: BootConfig,
  steps: readonly Step[],
  invariants: readonly Invariant[],
): RunResult {
  let base: number | undefined;
  let blocks = 0;
  let maxBlocks = 0;
  let blockReleases = 0;
  const result = replaySteps(target, config, steps, invariants, (i, session) => {
    if (i === 0) base = allocationsOf(session);
    const now = blocksOf(session);
    if (now < blocks) blockReleases++;
    blocks = now;
    maxBlocks = Math.max(maxBlocks, now);
  });
  const session = result.session;
  const end = allocationsOf(session);
  const enomem = session.log.some((e) => e.error === "ENOMEM");
  let finding: RunResult["finding"];
  if (result.violation !== undefined) {
    const v = result.violation;
    finding = { invariant: v.invariant, message: v.detail, steps, stepIndex: v.stepIndex };
  } else if (session.diverged) {
    const lastRan = result.ran[result.ran.length - 1] ?? -1;
    const entry = session.log[session.log.length - 1];
    finding = {
      invariant: "diverged",
      message: `the allocator contradicted the model at ${entry?.op ?? "the first step"}: answered ${entry?.error ?? "ok"} where the model expected ${entry?.valid === false ? "EINVAL" : "success (or one injected ENOMEM)"}`,
      steps,
      stepIndex: lastRan,
    };
  }
  return {
    finding,
    fired: fired(session),
    enomem,
    allocations: base !== undefined && end !== undefined ? end - base : undefined,
    maxBlocks,
    blockReleases,
  };
}

function armed(after: number, count: number, workload: readonly Step[]): Step[] {
  return [{ op: "fail_page_alloc", after, count }, ...workload];
}

/** Runs the workload once per page allocation with that allocation failing. */
export function enomemSweep(target: Target, options: EnomemSweepOptions = {}): EnomemSweepReport {
  const config =
    options.config ??
    (target.densePossible !== undefined ? ENOMEM_SWEEP_DENSE_CONFIG : ENOMEM_SWEEP_CONFIG);
  // A design that breaks one of them by design (its knownViolations) is judged on the rest:
  // its runs must still go on to every k, and integrity and no-oops still hold there. The
  // design's white-box invariants judge its bookkeeping too: a failed allocation must not keep
  // half an object (an area with no live object) where failure-atomicity allows a pool.
  const ids =
    options.invariants ??
    ENOMEM_SWEEP_INVARIANTS.filter((id) => target.knownViolations[id] === undefined);
  const named = ids.map((id) => {
    const inv = findInvariant(id);
    if (inv === undefined) throw new Error(`enomemSweep: no invariant "${id}"`);
    return inv;
  });
  const whiteBox =
    options.invariants === undefined
      ? applicable(INVARIANTS, target).filter((i) => i.designs !== undefined)
      : [];
  const invariants = [...named, ...whiteBox];
  const workload = enomemWorkload(target, config);
  const empty = {
    config,
    workload,
    pageAllocations: undefined,
    runs: 0,
    enomemAnswers: 0,
    absorbed: 0,
    maxBlocks: 0,
    blockReleases: 0,
    findings: [],
  };
  const caps = new Set<Capability>(target.create().hello().capabilities);
  const missing = (["fail_page_alloc", "reclaim"] as const).filter((c) => !caps.has(c));
  if (missing.length > 0) {
    return {
      ...empty,
      target: target.id,
      status: "not-checked",
      reason: `${target.id} does not offer ${missing.join(" and ")}`,
    };
  }

  const clean = runOnce(target, config, armed(0, 0, workload), invariants);
  const findings: EnomemSweepFinding[] = [];
  if (clean.finding !== undefined) findings.push({ k: -1, ...clean.finding });
  const n = clean.allocations;
  const last = n ?? options.maxK ?? 4096;
  let runs = 0;
  let enomemAnswers = 0;
  let absorbed = 0;
  for (let k = 0; k <= last; k++) {
    if (options.firstFinding === true && findings.length > 0) break;
    const steps = armed(k, 1, workload);
    const r = runOnce(target, config, steps, invariants);
    runs++;
    if (r.finding !== undefined) findings.push({ k, ...r.finding });
    else if (r.enomem) enomemAnswers++;
    else if (r.fired) absorbed++;
    if (n === undefined) {
      if (!r.fired) break;
      continue;
    }
    // Up to N the k-th allocation exists and must fail; at N nothing is left to fail.
    if (r.finding === undefined && r.fired !== k < n) {
      findings.push({
        k,
        invariant: "diverged",
        message: `the clean run made ${n} page allocations, but arming the failure after ${k} ${r.fired ? "made one fail" : "made none fail"}: the workload is not deterministic`,
        steps,
        stepIndex: -1,
      });
    }
  }
  return {
    target: target.id,
    status: findings.length === 0 ? "pass" : "fail",
    config,
    workload,
    pageAllocations: n,
    runs,
    enomemAnswers,
    absorbed,
    maxBlocks: clean.maxBlocks,
    blockReleases: clean.blockReleases,
    findings,
  };
}
