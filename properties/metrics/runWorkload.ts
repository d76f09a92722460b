/**
 * Runs a workload's script on a fresh allocator and takes the figures after each phase.
 *
 *   target.create() ─boot(NR_CPUS 8, possible 0..3)─> allocator
 *   for each phase:  alloc k (size, align) -> ptr[k]     free k -> free(ptr[k])
 *                    reclaim -> reclaim() (the deferred work, e.g. the balance worker)
 *                    └─ after the phase: stats(), inspect() (if offered), work counters
 *
 *   utilization = live bytes (sizes as requested, not rounded) / unit bytes held per possible
 *                 CPU (stats.unitBytes: "bytes of per-CPU area held for each possible CPU")
 *
 * The 2005 thread's table is this figure after 2000 random allocations, after the random frees
 * and after the refill (<20050112181230.GA2035@impedimenta.in.ibm.com>). A failed request is an
 * error naming the target, the phase and the request: every workload here asks only for what
 * every target serves, on a machine large enough for it.
 */
import { performance } from "node:perf_hooks";
import type { AllocatorStats, BootConfig, PercpuAllocator, Ptr } from "../../impl/index.ts";
import type { Target } from "../engine/target.ts";
import type { WorkloadPhase } from "../workloads/index.ts";
import { kernelMs, readWork, round, workPerOp, type WorkPerOp } from "./workCounters.ts";

export interface PhaseMetrics {
  readonly name: string;
  readonly ops: number;
  readonly live_objects: number;
  /** Live bytes / unit bytes (0 when nothing is held). */
  readonly utilization: number;
  /** Blocks or chunks in use (null when the target has no `inspect`). */
  readonly blocks: number | null;
  readonly live_bytes: number;
  readonly unit_bytes: number;
  readonly meta_bytes: number;
  readonly vm_bytes: number;
  /** Pages held per node and zone. */
  readonly pages: { readonly node: number; readonly low: number; readonly high: number }[];
  /** Work per operation of the phase (null without work counters). */
  readonly work_per_op: WorkPerOp | null;
  /** Wall-clock time of the phase in ms (only with timing on; never in deterministic output). */
  readonly elapsed_ms?: number;
  /**
   * Of it, the ms a harness measured inside its allocator's code (only with timing on, from a
   * harness that reports `kernel_ns`): the operation without the protocol around it.
   */
  readonly kernel_ms?: number;
}

export interface RunOptions {
  readonly boot: BootConfig;
  /** Record each phase's wall-clock time. */
  readonly timing?: boolean;
  /**
   * Called before every request of a phase with the run's allocator (a check's stop request,
   * time limit and work budget, runner/runBudget.ts); what it throws ends the run.
   */
  readonly beforeRequest?: (allocator: PercpuAllocator) => void;
}

/** A run in progress: the allocator, its live objects, and the figures so far. */
export class WorkloadRun {
  readonly allocator: PercpuAllocator;
  /** Live objects: key -> pointer and requested size. */
  readonly live = new Map<number, { readonly ptr: Ptr; readonly size: number }>();
  readonly phases: PhaseMetrics[] = [];
  private liveBytes = 0;
  private readonly hasInspect: boolean;

  constructor(
    readonly target: Target,
    readonly options: RunOptions,
  ) {
    this.allocator = target.create();
    this.hasInspect = this.allocator.hello().capabilities.includes("inspect");
    const booted = this.allocator.boot(options.boot);
    if (!booted.ok) throw new Error(`${target.id}: boot failed: ${booted.message}`);
  }

  /** Runs one phase and records its figures. */
  runPhase(phase: WorkloadPhase): PhaseMetrics {
    const before = readWork(this.allocator);
    const started = this.options.timing ? performance.now() : 0;
    const beforeRequest = this.options.beforeRequest;
    for (const op of phase.ops) {
      beforeRequest?.(this.allocator);
      if (op.op === "alloc") this.alloc(phase.name, op.key, op.size, op.align);
      else if (op.op === "free") this.free(phase.name, op.key);
      else this.reclaim(phase.name);
    }
    const elapsed = this.options.timing ? performance.now() - started : undefined;
    const after = readWork(this.allocator);
    const metrics = this.snapshot(
      phase.name,
      phase.ops.length,
      workPerOp(before, after, phase.ops.length),
    );
    const inKernel = this.options.timing ? kernelMs(before, after) : undefined;
    const withTime =
      elapsed === undefined
        ? metrics
        : {
            ...metrics,
            elapsed_ms: round(elapsed, 1),
            ...(inKernel !== undefined ? { kernel_ms: inKernel } : {}),
          };
    this.phases.push(withTime);
    return withTime;
  }

  alloc(phase: string, key: number, size: number, align: number): Ptr {
    const r = this.allocator.alloc(size, align);
    if (!r.ok) {
      throw new Error(
        `${this.target.id}: ${phase}: alloc(${size}, ${align}) of object ${key} failed: ${r.error} ${r.message}`,
      );
    }
    this.live.set(key, { ptr: r.value, size });
    this.liveBytes += size;
    return r.value;
  }

  free(phase: string, key: number): void {
    const obj = this.live.get(key);
    if (obj === undefined) throw new Error(`${phase}: object ${key} is not live (a workload bug)`);
    const r = this.allocator.free(obj.ptr);
    if (!r.ok) {
      throw new Error(
        `${this.target.id}: ${phase}: free of object ${key} failed: ${r.error} ${r.message}`,
      );
    }
    this.live.delete(key);
    this.liveBytes -= obj.size;
  }

  /** The deferred work, now; a target that offers no `reclaim` cannot run a workload that asks. */
  reclaim(phase: string): void {
    const r = this.allocator.reclaim();
    if (!r.ok) {
      throw new Error(`${this.target.id}: ${phase}: reclaim failed: ${r.error} ${r.message}`);
    }
  }

  stats(): AllocatorStats {
    const s = this.allocator.stats();
    if (!s.ok) throw new Error(`${this.target.id}: stats failed: ${s.message}`);
    return s.value;
  }

  /** Blocks or chunks in use, or null without `inspect`. */
  blocks(): number | null {
    if (!this.hasInspect) return null;
    const v = this.allocator.inspect();
    return v.ok ? v.value.blocks.length : null;
  }

  snapshot(name: string, ops: number, work: WorkPerOp | null): PhaseMetrics {
    const s = this.stats();
    return {
      name,
      ops,
      live_objects: this.live.size,
      utilization: s.unitBytes === 0 ? 0 : round(this.liveBytes / s.unitBytes, 4),
      blocks: this.blocks(),
      live_bytes: this.liveBytes,
      unit_bytes: s.unitBytes,
      meta_bytes: s.metaBytes,
      vm_bytes: s.vmBytes,
      pages: zonePagesOf(s),
      work_per_op: work,
    };
  }
}

/** Pages per node and zone (a harness that gives only totals counts them as low memory). */
export function zonePagesOf(s: AllocatorStats): { node: number; low: number; high: number }[] {
  return s.pagesByNode.map((total, node) => {
    const z = s.pagesByZone?.[node];
    return { node, low: z?.low ?? total, high: z?.high ?? 0 };
  });
}

/** Runs every phase of a script on a fresh allocator. */
export function runWorkload(
  target: Target,
  phases: readonly WorkloadPhase[],
  options: RunOptions,
): WorkloadRun {
  const run = new WorkloadRun(target, options);
  for (const phase of phases) run.runPhase(phase);
  return run;
}
