/**
 * `pcpu-verify metrics --target T --workload W`: runs a workload on one target and prints the
 * figures per phase (utilization, blocks, live and unit bytes, pages) and the target's
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
  findWorkload,
  measureTarget,
  WORKLOADS,
  type MetricsReport,
  type WorkPerOp,
} from "../properties/index.ts";
import type { CliIo } from "./cliIo.ts";
import { EXIT_OK } from "./exitCodes.ts";
import { formatTable } from "./format.ts";
import { resolveTarget } from "./metricsTarget.ts";
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
}

export function metricsCommand(options: MetricsOptions, io: CliIo): number {
  const workload = findWorkload(options.workload);
  if (workload === undefined) {
    throw new UsageError(
      `--workload: unknown workload '${options.workload}'; expected one of ${listIds(WORKLOADS.map((w) => w.id))}`,
    );
  }
  const target = resolveTarget(
    options.target,
    options.external,
    { id: "--target", external: "--external" },
    options.harnessTimeout,
  );
  let report: MetricsReport;
  try {
    report = measureTarget(target, workload, {
      seed: options.seed,
      objects: options.objects,
      rounds: options.rounds,
      growthMax: options.growthMax,
      timing: options.timing,
    });
  } finally {
    asExternal(target)?.close();
  }
  io.out(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatMetrics(report).join("\n")}\n`,
  );
  return EXIT_OK;
}

const num = (n: number | null | undefined): string =>
  n === null || n === undefined ? "n/a" : n.toLocaleString("en-US");
const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const work = (w: WorkPerOp | null): string =>
  w === null
    ? "n/a"
    : `${num(w.comparisons)} cmp, ${num(w.loop_iterations)} loops, ${num(w.bits_scanned)} bits`;

/** The human form of a report. */
export function formatMetrics(r: MetricsReport): string[] {
  const timed = r.phases.some((p) => p.elapsed_ms !== undefined);
  const m = r.metrics;
  const vm = m.vmalloc_128m_at_512;
  return [
    `pcpu-verify metrics: ${r.target} on ${r.workload} (seed ${r.seed}, ${r.objects} objects, ${r.rounds} round${r.rounds === 1 ? "" : "s"})`,
    "",
    ...formatTable(
      [
        { header: "phase" },
        { header: "ops", align: "right" },
        { header: "live", align: "right" },
        { header: "utilization", align: "right" },
        { header: "blocks", align: "right" },
        { header: "live bytes", align: "right" },
        { header: "unit bytes", align: "right" },
        { header: "pages low/high", align: "right" },
        ...(timed ? [{ header: "ms", align: "right" as const }] : []),
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
        work(p.work_per_op),
      ]),
    ),
    "",
    `memory loads per per_cpu_ptr: ${m.mem_refs_per_deref}`,
    `after the last phase: vmalloc ${num(m.vm_bytes)} bytes, metadata ${num(m.meta_bytes)} bytes, pages ${num(m.pages_low)} low + ${num(m.pages_high)} high`,
    `pages touched per CPU to read every live object: ${num(m.pages_touched_per_cpu)} (max ${num(m.pages_touched_per_cpu_max)})`,
    `first phase, possible CPUs 0-3: NR_CPUS 8 holds ${num(m.nr_cpus_8.pages)} pages, NR_CPUS 512 holds ${num(m.nr_cpus_512.pages)}; vmalloc ${num(m.nr_cpus_8.vm_bytes)} vs ${num(m.nr_cpus_512.vm_bytes)} bytes`,
    `  work per allocation at NR_CPUS 8: ${work(m.nr_cpus_8.work_per_alloc)}; at 512: ${work(m.nr_cpus_512.work_per_alloc)}`,
    vm.vmalloc_full
      ? `128 MiB vmalloc at NR_CPUS 512: full after ${num(vm.blocks)} blocks (${num(vm.objects)} one-page objects)`
      : `128 MiB vmalloc at NR_CPUS 512: not exhausted by ${num(vm.objects)} one-page objects (${num(vm.vm_bytes)} bytes reserved)`,
    m.scratch_bytes === null
      ? "scratch memory per operation: not modelled"
      : `scratch memory per operation: ${num(m.scratch_bytes)} bytes (NR_CPUS 8: ${num(m.nr_cpus_8.scratch_bytes)}, NR_CPUS 512: ${num(m.nr_cpus_512.scratch_bytes)})`,
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
