/**
 * `pcpu-verify metrics --target T --workload W`: runs a workload on one target and prints the
 * figures per phase (utilization, blocks or chunks, live and unit bytes, pages) and the target's
 * metrics (deref loads, vmalloc, NR_CPUS 8 vs 512, pages touched, work as objects grow).
 *
 *   phase      util    blocks  live bytes  unit bytes ...
 *   alloc-1    98.78%  501     4,054,073   4,104,192
 *   free-1     53.94%  458     ...
 *
 * `--json` prints the MetricsReport (properties/metrics/measureTarget.ts). Output is the same
 * for the same seed unless `--timing` adds wall-clock times.
 */
import {
  asExternal,
  familyCounts,
  findWorkload,
  measureTarget,
  WORKLOADS,
  type MetricsReport,
  type WorkPerOp,
} from "../properties/index.ts";
import type { CliIo } from "./cliIo.ts";
import { EXIT_OK } from "./exitCodes.ts";
import { count, formatTable, plural } from "./format.ts";
import { churnVerdict, churnWorkload, readChurnFile } from "./metricsChurn.ts";
import { resolveTarget } from "./metricsTarget.ts";
import { findReplayTarget } from "./replayCommand.ts";
import { listIds } from "./optionParsers.ts";
import { UsageError } from "./usageError.ts";

export interface MetricsOptions {
  readonly target?: string;
  readonly external?: string;
  readonly harnessTimeout?: number;
  readonly workload: string;
  readonly seed: number;
  readonly objects?: number;
  readonly rounds?: number;
  readonly growthMax?: number;
  readonly timing?: boolean;
  readonly json?: boolean;
  /** A utilization-after-churn counterexample file: its workload replaces --workload. */
  readonly counterexample?: string;
}

export function metricsCommand(options: MetricsOptions, io: CliIo): number {
  const churn =
    options.counterexample !== undefined ? readChurnFile(options.counterexample) : undefined;
  const workload = churn !== undefined ? churnWorkload(churn) : findWorkload(options.workload);
  if (workload === undefined) {
    throw new UsageError(
      `--workload: unknown workload '${options.workload}'; expected one of ${listIds(WORKLOADS.map((w) => w.id))}`,
    );
  }
  const target =
    churn !== undefined && options.target === undefined && options.external === undefined
      ? findReplayTarget(churn.file, churn.target, { harnessTimeout: options.harnessTimeout })
      : resolveTarget(
          options.target,
          options.external,
          { id: "--target", external: "--external" },
          options.harnessTimeout,
        );
  let report: MetricsReport;
  try {
    report = measureTarget(target, workload, {
      seed: churn?.params.seed ?? options.seed,
      objects: churn?.params.objects ?? options.objects,
      rounds: churn?.params.rounds ?? options.rounds,
      growthMax: options.growthMax,
      timing: options.timing,
    });
  } finally {
    asExternal(target)?.close();
  }
  if (churn !== undefined) {
    const verdict = churnVerdict(report, churn.threshold);
    io.out(
      options.json
        ? `${JSON.stringify({ ...report, churn: { file: churn.file, workload: churn.params, threshold: churn.threshold, verdict } }, null, 2)}\n`
        : `${[...formatMetrics(report, target.design), "", `utilization-after-churn, ${churn.file}:`, ...verdict.map((l) => `  ${l}`)].join("\n")}\n`,
    );
    return EXIT_OK;
  }
  io.out(
    options.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : `${formatMetrics(report, target.design).join("\n")}\n`,
  );
  return EXIT_OK;
}

const num = (n: number | null | undefined): string =>
  n === null || n === undefined ? "n/a" : n.toLocaleString("en-US");
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/**
 * The human form of a report; `design` (the target's design family) says what its counters
 * count: "map entries" where the area map scans its map, "not counted" for legacy, and whether
 * it groups memory in blocks or chunks.
 */
export function formatMetrics(r: MetricsReport, design?: string): string[] {
  const counts = familyCounts(design);
  const groups = counts.grouping ?? "blocks";
  const scanned = counts.scanned === "map entries" ? ["map entry", "map entries"] : ["bit", "bits"];
  const work = (w: WorkPerOp | null): string => {
    if (w === null) return "n/a";
    // A harness's own count (stats `work`): its allocator's bitmap helper calls and words.
    if (w.bitmap_calls !== undefined) {
      return `${count(w.bitmap_calls, "bitmap call")}, ${count(w.bitmap_words, "word")}`;
    }
    if (!counts.work) return "not counted";
    const [one, many] = scanned as [string, string];
    return `${num(w.comparisons)} cmp, ${count(w.loop_iterations, "loop")}, ${count(w.bits_scanned, one, many)}`;
  };
  const timed = r.phases.some((p) => p.elapsed_ms !== undefined);
  const kernelTimed = r.phases.some((p) => p.kernel_ms !== undefined);
  const m = r.metrics;
  const vm = m.vmalloc_128m_at_512;
  return [
    `pcpu-verify metrics: ${r.target} on ${r.workload} (seed ${r.seed}, ${count(r.objects, "object")}, ${plural(r.rounds, "round")})`,
    "",
    ...formatTable(
      [
        { header: "phase" },
        { header: "ops", align: "right" },
        { header: "live", align: "right" },
        { header: "utilization", align: "right" },
        { header: groups, align: "right" },
        { header: "live bytes", align: "right" },
        { header: "unit bytes", align: "right" },
        { header: "pages low/high", align: "right" },
        ...(timed ? [{ header: "ms", align: "right" as const }] : []),
        ...(kernelTimed ? [{ header: "kernel ms", align: "right" as const }] : []),
        { header: "work per op" },
      ],
      r.phases.map((p) => [
        p.name,
        num(p.ops),
        num(p.live_objects),
        pct(p.utilization),
        num(p.blocks),
        num(p.live_bytes),
        num(p.unit_bytes),
        `${num(p.pages.reduce((a, z) => a + z.low, 0))}/${num(p.pages.reduce((a, z) => a + z.high, 0))}`,
        ...(timed ? [num(p.elapsed_ms)] : []),
        ...(kernelTimed ? [num(p.kernel_ms)] : []),
        work(p.work_per_op),
      ]),
    ),
    "",
    `memory loads per per_cpu_ptr: ${m.mem_refs_per_deref}`,
    `after the last phase: vmalloc ${count(m.vm_bytes, "byte")}, metadata ${count(m.meta_bytes, "byte")}, pages ${num(m.pages_low)} low + ${num(m.pages_high)} high`,
    `pages touched per CPU to read every live object: ${num(m.pages_touched_per_cpu)} (max ${num(m.pages_touched_per_cpu_max)})`,
    `first phase, possible CPUs 0-3: NR_CPUS 8 holds ${count(m.nr_cpus_8.pages, "page")}, NR_CPUS 512 holds ${num(m.nr_cpus_512.pages)}; vmalloc ${num(m.nr_cpus_8.vm_bytes)} vs ${count(m.nr_cpus_512.vm_bytes, "byte")}`,
    `  work per allocation at NR_CPUS 8: ${work(m.nr_cpus_8.work_per_alloc)}; at 512: ${work(m.nr_cpus_512.work_per_alloc)}`,
    vm.vmalloc_full
      ? `128 MiB vmalloc at NR_CPUS 512: full after ${count(vm.blocks, groups.slice(0, -1))} (${count(vm.objects, "one-page object")})`
      : `128 MiB vmalloc at NR_CPUS 512: not exhausted by ${count(vm.objects, "one-page object")} (${count(vm.vm_bytes, "byte")} reserved)`,
    m.scratch_bytes === null
      ? "scratch memory per operation: not modelled"
      : `scratch memory per operation: ${count(m.scratch_bytes, "byte")} (NR_CPUS 8: ${num(m.nr_cpus_8.scratch_bytes)}, NR_CPUS 512: ${num(m.nr_cpus_512.scratch_bytes)})`,
    "",
    ...formatTable(
      [
        { header: "live objects", align: "right" },
        { header: "work per alloc" },
        { header: "work per free" },
      ],
      m.work_growth.map((g) => [num(g.live), work(g.alloc), work(g.free)]),
    ),
  ];
}
