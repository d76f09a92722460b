/**
 * The metrics that need a run of their own, beside the workload's phases.
 *
 *   pages touched      after the script: for each possible CPU, the distinct virtual pages
 *                      its copies of every live object lie on (interlaced designs pack many
 *                      objects of one CPU into a page: "better utilization of cachelines")
 *   NR_CPUS 8 vs 512   the script's first phase on both, the same four possible CPUs: memory
 *                      held and loop work per allocation ("Doesn't need a NR_CPUS pointer
 *                      array", "Isn't this equivalent to for_each_cpu()?")
 *   vmalloc at 512     objects of one page until ENOMEM in a 128 MiB vmalloc area at NR_CPUS
 *                      512: how many blocks fit ("it does consume vmalloc space")
 *   work growth        live objects grown to 10, 100, 1000, 10000 (twice as many allocated, a
 *                      random half freed, so free space is fragmented), then the work of 32
 *                      allocations and 32 frees ("simple bubble sort ... That'll be unpopular")
 *
 * Sources: Andrew Morton's review <20050113005730.0e10b2d9.akpm@osdl.org> and the patch's
 * claims <20050112181230.GA2035@impedimenta.in.ibm.com>.
 */
import { PAGE_SIZE } from "../../impl/machine/index.ts";
import type { Target } from "../engine/target.ts";
import { SeededRandom, type AllocOp, type WorkloadPhase } from "../workloads/index.ts";
import { metricsBootConfig, METRICS_POSSIBLE, VMALLOC_2005_BYTES } from "./metricsTopology.ts";
import { WorkloadRun } from "./runWorkload.ts";
import { scratchBytes } from "./scratchMemory.ts";
import { readWork, round, workPerOp, type WorkPerOp } from "./workCounters.ts";

/** Mean and largest count of distinct pages a possible CPU touches to read every live object. */
export function pagesTouched(run: WorkloadRun): { mean: number; max: number } {
  const counts: number[] = [];
  for (const cpu of METRICS_POSSIBLE) {
    const pages = new Set<number>();
    for (const obj of run.live.values()) {
      const addr = run.allocator.ptr(obj.ptr, cpu);
      if (!addr.ok) throw new Error(`${run.target.id}: ptr for cpu ${cpu} failed: ${addr.message}`);
      const first = Math.floor(addr.value / PAGE_SIZE);
      const last = Math.floor((addr.value + obj.size - 1) / PAGE_SIZE);
      for (let p = first; p <= last; p++) pages.add(p);
    }
    counts.push(pages.size);
  }
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  return { mean: round(mean, 1), max: Math.max(...counts) };
}

export interface NrCpusFigures {
  readonly nr_cpus: number;
  /** Pages held (every node and zone) after the first phase. */
  readonly pages: number;
  readonly meta_bytes: number;
  readonly vm_bytes: number;
  readonly work_per_alloc: WorkPerOp | null;
  /** Scratch memory of one operation (null: not modelled), see scratchMemory.ts. */
  readonly scratch_bytes: number | null;
}

/** The first phase of the script at this NR_CPUS. */
export function atNrCpus(target: Target, first: WorkloadPhase, nrCpus: number): NrCpusFigures {
  const run = new WorkloadRun(target, { boot: metricsBootConfig(nrCpus) });
  const p = run.runPhase(first);
  return {
    nr_cpus: nrCpus,
    pages: p.pages.reduce((a, z) => a + z.low + z.high, 0),
    meta_bytes: p.meta_bytes,
    vm_bytes: p.vm_bytes,
    work_per_alloc: p.work_per_op,
    scratch_bytes: scratchBytes(run.allocator),
  };
}

export interface VmallocFigures {
  /** Objects of one page allocated before the first ENOMEM (or the cap). */
  readonly objects: number;
  /** Blocks or chunks in use then (null without `inspect`). */
  readonly blocks: number | null;
  readonly vm_bytes: number;
  /** Whether the vmalloc area was what ran out (not pages, not the cap). */
  readonly vmalloc_full: boolean;
}

/** The most one-page objects the vmalloc test asks for. */
export const VMALLOC_TEST_CAP = 4096;

/** One-page objects at NR_CPUS 512 in a 128 MiB vmalloc area until ENOMEM. */
export function vmallocExhaustion(target: Target): VmallocFigures {
  const run = new WorkloadRun(target, { boot: metricsBootConfig(512, VMALLOC_2005_BYTES) });
  let objects = 0;
  let failed = false;
  while (objects < VMALLOC_TEST_CAP) {
    const r = run.allocator.alloc(PAGE_SIZE, PAGE_SIZE);
    if (!r.ok) {
      if (r.error !== "ENOMEM") throw new Error(`${target.id}: alloc(4096, 4096): ${r.message}`);
      failed = true;
      break;
    }
    objects++;
  }
  const s = run.stats();
  const blocks = run.blocks();
  // The area is full when less than one more block's reservation fits in it.
  const perBlock = blocks !== null && blocks > 0 ? s.vmBytes / blocks : 0;
  const vmallocFull = failed && perBlock > 0 && VMALLOC_2005_BYTES - s.vmBytes < perBlock;
  return { objects, blocks, vm_bytes: s.vmBytes, vmalloc_full: vmallocFull };
}

export interface GrowthPoint {
  readonly live: number;
  readonly alloc: WorkPerOp | null;
  readonly free: WorkPerOp | null;
}

/** The growth points up to `max`: 10, 100, 1000, 10000. */
export function growthPoints(max: number): number[] {
  return [10, 100, 1000, 10000].filter((n) => n <= max);
}

/** Operations measured at each growth point. */
export const GROWTH_PROBE_OPS = 32;

/**
 * Work per allocation and per free with `live` objects live: 2 x live allocated (shapes taken
 * in turn from the script's first phase), a random half freed, then GROWTH_PROBE_OPS
 * allocations and as many frees of random live objects, measured.
 */
export function workAt(
  target: Target,
  first: WorkloadPhase,
  live: number,
  seed: number,
): GrowthPoint {
  const shapes = first.ops.filter((o): o is AllocOp => o.op === "alloc");
  if (shapes.length === 0)
    throw new Error(`${first.name}: expected allocations to take shapes from`);
  const random = new SeededRandom(seed ^ live);
  const run = new WorkloadRun(target, { boot: metricsBootConfig(8) });
  let key = 0;
  const allocOne = () => {
    const s = shapes[key % shapes.length] as AllocOp;
    run.alloc("growth", key++, s.size, s.align);
  };
  for (let i = 0; i < 2 * live; i++) allocOne();
  for (const k of random.shuffle([...run.live.keys()]).slice(0, live)) run.free("growth", k);
  const beforeAlloc = readWork(run.allocator);
  for (let i = 0; i < GROWTH_PROBE_OPS; i++) allocOne();
  const afterAlloc = readWork(run.allocator);
  const victims = random.shuffle([...run.live.keys()]).slice(0, GROWTH_PROBE_OPS);
  for (const k of victims) run.free("growth", k);
  const afterFree = readWork(run.allocator);
  return {
    live,
    alloc: workPerOp(beforeAlloc, afterAlloc, GROWTH_PROBE_OPS),
    free: workPerOp(afterAlloc, afterFree, victims.length),
  };
}
