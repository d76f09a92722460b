import type { PercpuAllocator } from "../../impl/index.ts";
import type { Target } from "../engine/target.ts";
import { metricsBootConfig } from "../metrics/metricsTopology.ts";
import { WorkloadRun, type PhaseMetrics } from "../metrics/runWorkload.ts";
import { churnPhases, describeChurn, HI_MIN, type ChurnParams } from "../workloads/churnRounds.ts";
import type { Invariant } from "./invariant.ts";

/**
 * utilization-after-churn: after every refill of a churn workload (a batch of allocations,
 * random frees of a share of them, a refill; workloads/churnRounds.ts), utilization is at least
 * the threshold (98% unless `--utilization-threshold` says otherwise). Utilization is what the
 * metrics measure (metrics/runWorkload.ts): the live bytes, as requested (not rounded), over the
 * unit bytes the allocator holds per possible CPU (`stats` `unit_bytes`). The trough right
 * after each round's frees is measured and reported beside it, never judged: the thread's own
 * figure for it is 54.8%.
 *
 *   alloc-1 ──> free-1 ──> refill-1 ──> free-2 ──> refill-2 ...
 *   98.78%      53.94%     98.07% >= 98% 52.12%     96.66% < 98%: broken at refill-2
 *               (trough)   judged       (trough)    judged
 *
 * Source: the 2005 thread, "Userspace tests show 98% utilization with random sized
 * allocations after repeated random frees" (<20050112181230.GA2035@impedimenta.in.ibm.com>:
 * 2000 allocations 98.7%, random frees 54.8%, 2000 more 98.2%), the design card's third
 * property beside no-overlap and node locality.
 * Cost: a run of its own (runner/churnCheck.ts), not a step of the random command runs: a few
 * thousand allocations and frees per round and one `stats` per phase, on the metrics' machine
 * (4 possible CPUs on 2 nodes); a few runs per check, each shrunk to the smallest workload.
 * Judged on every target that reports unit bytes.
 */
export const utilizationAfterChurn: Invariant = {
  id: "utilization-after-churn",
  title: "at least 98% utilization after each refill of a churn workload",
  source:
    'LKML Jan 2005 "Userspace tests show 98% utilization with random sized allocations after repeated random frees" <20050112181230.GA2035@impedimenta.in.ibm.com>',
  cost: "runs of its own: a few thousand allocations and frees per round, one stats per phase",
  needs: [],
  ownRuns: "churn-rounds",
};

/** The threshold of the design card: 98%. */
export const DEFAULT_UTILIZATION_THRESHOLD = 0.98;

/** One round's figures: the trough after its frees and the level after its refill. */
export interface ChurnRound {
  readonly round: number;
  /** Utilization right after the frees (reported, never judged). */
  readonly after_free: number;
  /** Utilization after the refill (judged). */
  readonly after_refill: number;
  /** Blocks or chunks in use after the refill (null without `inspect`). */
  readonly blocks: number | null;
}

/** What a churn run measured. */
export interface ChurnFigures {
  /** Utilization after the first batch. */
  readonly after_alloc: number;
  readonly rounds: readonly ChurnRound[];
}

/** A churn run's outcome: its figures so far and, where a refill fell short, why. */
export interface ChurnOutcome {
  readonly figures: ChurnFigures;
  /** The violation, or undefined when every refill reached the threshold. */
  readonly violation?: string;
}

/** Utilization as the metrics define it, exactly (the judged value is not rounded). */
function exact(p: PhaseMetrics): number {
  return p.unit_bytes === 0 ? 0 : p.live_bytes / p.unit_bytes;
}

/** The boot of every churn run: the metrics' machine (metrics/metricsTopology.ts). */
export const CHURN_BOOT = metricsBootConfig(8);

/**
 * Runs a churn workload on a fresh allocator and judges each refill as it ends; the run stops at
 * the first refill below the threshold (the later rounds cannot mend it, and the shrinking
 * wants the shortest run), and the violation names the workload cut to that round. A request the target refuses is a violation too: the workload asks
 * only for what every target serves, on a machine large enough.
 */
export function runChurn(
  target: Target,
  params: ChurnParams,
  threshold: number,
  /** Called before every request; what it throws ends the run and passes through, unjudged. */
  beforeRequest?: (allocator: PercpuAllocator) => void,
): ChurnOutcome {
  let interrupted: { readonly error: unknown } | undefined;
  const checkpoint =
    beforeRequest === undefined
      ? undefined
      : (allocator: PercpuAllocator) => {
          try {
            beforeRequest(allocator);
          } catch (e) {
            interrupted = { error: e };
            throw e;
          }
        };
  const run = new WorkloadRun(target, {
    boot: CHURN_BOOT,
    ...(checkpoint !== undefined ? { beforeRequest: checkpoint } : {}),
  });
  let afterAlloc = 0;
  const rounds: ChurnRound[] = [];
  let trough = 0;
  const figures = (): ChurnFigures => ({ after_alloc: afterAlloc, rounds: [...rounds] });
  for (const phase of churnPhases(params)) {
    let m: PhaseMetrics;
    try {
      m = run.runPhase(phase);
    } catch (e) {
      if (interrupted !== undefined) throw interrupted.error;
      if (!(e instanceof Error)) throw e;
      // A refused request (a plain Error of the run), or the allocator raising (its oops: a
      // MachineError, a TypeError of its code): either way the workload cannot go on.
      const why = e.name === "Error" ? e.message : `the allocator raised ${e.name}: ${e.message}`;
      return { figures: figures(), violation: `the workload could not run: ${why}` };
    }
    const u = exact(m);
    const round = Number(phase.name.split("-")[1]);
    if (phase.name === "alloc-1") afterAlloc = u;
    else if (phase.name.startsWith("free-")) trough = u;
    else {
      rounds.push({ round, after_free: trough, after_refill: u, blocks: m.blocks });
      if (m.live_bytes < threshold * m.unit_bytes) {
        return {
          figures: figures(),
          // Named as the workload cut to this round: a workload of fewer rounds is a prefix
          // of this one, so the cut one breaks the same, with the same message.
          violation: `${describeChurn({ ...params, rounds: round })}: ${phase.name}: utilization ${percent(u)} < ${percent(threshold)} (${m.live_bytes} live bytes in ${m.unit_bytes} unit bytes; ${percent(trough)} right after free-${round}); ${roundsText(figures())}`,
        };
      }
    }
  }
  return { figures: figures() };
}

/** `98.07%` */
export function percent(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/** Each round as `round 1: 53.94% -> 98.07%` (trough after the frees, then after the refill). */
export function roundsText(f: ChurnFigures): string {
  const rounds = f.rounds.map(
    (r) => `round ${r.round}: ${percent(r.after_free)} -> ${percent(r.after_refill)}`,
  );
  return [`after alloc-1 ${percent(f.after_alloc)}`, ...rounds].join(", ");
}

/**
 * The unit the scale is measured in: the unit an external harness declares (hello
 * `pool.unit_bytes`), else the unit bytes a fresh boot adds when allocations of HI_MIN bytes
 * first make it take more (a block of 8 KiB for the 2005 designs, a chunk's 32 KiB unit for the
 * 2009 and 2017 ones once their first chunk is full, a kmalloc class for 2.6.10). 0: the
 * target reports no unit bytes, and the property is not judged on it.
 */
export function churnUnitBytes(target: Target): number {
  if (target.unitBytes !== undefined && target.unitBytes > 0) return target.unitBytes;
  const run = new WorkloadRun(target, { boot: CHURN_BOOT });
  let before = run.stats().unitBytes;
  for (let key = 0; key < UNIT_PROBES; key++) {
    run.alloc("unit", key, HI_MIN, 1);
    const now = run.stats().unitBytes;
    if (now > before) return now - before;
    before = now;
  }
  return 0;
}

/** Allocations of HI_MIN bytes tried before a target is taken to report no unit bytes. */
const UNIT_PROBES = 256;
