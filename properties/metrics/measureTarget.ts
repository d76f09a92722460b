/**
 * `measureTarget`: every metric of one target on one workload, as one JSON-ready record.
 *
 *   workload.build(seed, objects, rounds) ──> phases ──runWorkload──> per-phase figures
 *                                                          └─> pages touched, deref loads
 *   first phase at NR_CPUS 8 and 512 ──> memory held, loop work per allocation
 *   one-page objects, NR_CPUS 512, 128 MiB vmalloc ──> blocks that fit
 *   2 x live allocated, half freed, at live 10 .. 10000 ──> work per allocation and free
 *
 * `review` lists the scalar figures with the direction that is better (review/reviewMetrics.ts).
 */
import type { Target } from "../engine/target.ts";
import type { Workload } from "../workloads/index.ts";
import {
  atNrCpus,
  growthPoints,
  pagesTouched,
  vmallocExhaustion,
  workAt,
  type GrowthPoint,
  type NrCpusFigures,
  type VmallocFigures,
} from "./extraMetrics.ts";
import { metricsBootConfig } from "./metricsTopology.ts";
import { runWorkload, type PhaseMetrics } from "./runWorkload.ts";
import { scratchBytes } from "./scratchMemory.ts";

export interface MeasureOptions {
  readonly seed: number;
  /** The workload's scale (default: its published size). */
  readonly objects?: number;
  readonly rounds?: number;
  /** Record wall-clock time per phase. */
  readonly timing?: boolean;
  /** The largest live count of the work-growth metric (default 10000). */
  readonly growthMax?: number;
  /** Called before each part, for progress reports. */
  readonly onPart?: (part: string) => void;
}

export interface MetricsReport {
  readonly target: string;
  readonly workload: string;
  readonly seed: number;
  readonly objects: number;
  readonly rounds: number;
  readonly phases: readonly PhaseMetrics[];
  readonly metrics: {
    readonly mem_refs_per_deref: number;
    readonly vm_bytes: number;
    readonly meta_bytes: number;
    readonly pages_low: number;
    readonly pages_high: number;
    readonly pages_touched_per_cpu: number;
    readonly pages_touched_per_cpu_max: number;
    readonly nr_cpus_8: NrCpusFigures;
    readonly nr_cpus_512: NrCpusFigures;
    readonly vmalloc_128m_at_512: VmallocFigures;
    readonly work_growth: readonly GrowthPoint[];
    /** The largest scratch memory of one operation (null: not modelled by the design). */
    readonly scratch_bytes: number | null;
  };
}

export function measureTarget(
  target: Target,
  workload: Workload,
  options: MeasureOptions,
): MetricsReport {
  const objects = options.objects ?? workload.defaultObjects;
  const rounds = options.rounds ?? 1;
  const part = options.onPart ?? (() => {});
  const phases = workload.build({ seed: options.seed, objects, rounds });
  const first = phases[0];
  if (first === undefined) throw new Error(`${workload.id}: the script has no phase`);

  part("phases");
  const run = runWorkload(target, phases, { boot: metricsBootConfig(8), timing: options.timing });
  const last = run.phases[run.phases.length - 1] as PhaseMetrics;
  const stats = run.stats();
  part("pages touched");
  const touched = pagesTouched(run);
  const scratch = scratchBytes(run.allocator);

  part("NR_CPUS 8 vs 512");
  const nr8 = atNrCpus(target, first, 8);
  const nr512 = atNrCpus(target, first, 512);
  part("vmalloc at NR_CPUS 512");
  const vm = vmallocExhaustion(target);
  const growth: GrowthPoint[] = [];
  for (const live of growthPoints(options.growthMax ?? 10000)) {
    part(`work at ${live} live objects`);
    growth.push(workAt(target, first, live, options.seed));
  }
  return {
    target: target.id,
    workload: workload.id,
    seed: options.seed,
    objects,
    rounds,
    phases: run.phases,
    metrics: {
      mem_refs_per_deref: stats.memRefsPerDeref,
      vm_bytes: last.vm_bytes,
      meta_bytes: last.meta_bytes,
      pages_low: last.pages.reduce((a, z) => a + z.low, 0),
      pages_high: last.pages.reduce((a, z) => a + z.high, 0),
      pages_touched_per_cpu: touched.mean,
      pages_touched_per_cpu_max: touched.max,
      nr_cpus_8: nr8,
      nr_cpus_512: nr512,
      vmalloc_128m_at_512: vm,
      work_growth: growth,
      scratch_bytes: scratch,
    },
  };
}

/** Which way is better; "neutral" figures are shown but never flagged (high-memory pages). */
export type Better = "higher" | "lower" | "neutral";
