/**
 * The workloads of a check: which of properties/workloads/ a check runs as checked runs, at
 * what scale and on what machine, and a workload's script as the protocol's steps.
 *
 *   workload.build({seed, objects, rounds}) ──> phases ──> steps
 *     alloc key k (size, align)     {"op":"alloc","size":..,"align":..,"as":"o<k+1>"}
 *     free key k                    {"op":"free","obj":"o<k+1>"}
 *     reclaim                       {"op":"reclaim"}
 *
 * The scales are chosen for depth per second: kiran-2005 at 1,200 objects (1,800 live at once
 * after its refill: the depth goal live-1000, a hundred chunks or blocks, each one filled and
 * churned; the thread's 2,000 cost three times as much on bitmap-2017, whose per-step costs grow
 * with the chunks held), counters at the thread's 2,000 (3,000 counters live, in one block or
 * chunk), kernel-mix at its default, zhou-2017 scaled down from 4,096 objects per pattern to
 * 256 (its 18 patterns of one size each are many steps, and its depth is in the
 * orders of the frees, not in their number). The machine is the metrics' (4 possible CPUs on 2
 * nodes, NR_CPUS 8, 2 GiB per node), so that every target serves every request.
 */
import type { BootConfig } from "../../impl/index.ts";
import type { Step } from "../engine/step.ts";
import { metricsBootConfig } from "../metrics/metricsTopology.ts";
import { findWorkload, type Workload, type WorkloadPhase } from "../workloads/index.ts";

/** One workload as a check runs it. */
export interface CheckedWorkload {
  readonly workload: Workload;
  /** Objects of its first phase (or per pattern, for zhou-2017). */
  readonly objects: number;
  readonly rounds: number;
}

/** The workloads of the default check, with their scales, in the order they run. */
export const CHECK_WORKLOAD_SCALES: readonly { id: string; objects: number; rounds: number }[] = [
  { id: "kiran-2005", objects: 1200, rounds: 1 },
  { id: "counters", objects: 2000, rounds: 1 },
  { id: "zhou-2017", objects: 256, rounds: 1 },
  { id: "kernel-mix", objects: 2000, rounds: 1 },
];

/** The checked workloads, resolved. */
export function checkWorkloads(): CheckedWorkload[] {
  return CHECK_WORKLOAD_SCALES.map((s) => {
    const workload = findWorkload(s.id);
    if (workload === undefined) throw new Error(`check workloads: no workload ${s.id}`);
    return { workload, objects: s.objects, rounds: s.rounds };
  });
}

/** The machine a workload is checked on (the metrics' NR_CPUS 8 machine). */
export function workloadBootConfig(): BootConfig {
  return metricsBootConfig(8);
}

/** The name of a workload's object `key` in a trace. */
export function objectName(key: number): string {
  return `o${key + 1}`;
}

/** A workload's phases as steps, in order. */
export function workloadSteps(phases: readonly WorkloadPhase[]): Step[] {
  const steps: Step[] = [];
  for (const phase of phases) {
    for (const op of phase.ops) {
      if (op.op === "alloc") {
        steps.push({ op: "alloc", size: op.size, align: op.align, as: objectName(op.key) });
      } else if (op.op === "free") {
        steps.push({ op: "free", obj: objectName(op.key) });
      } else {
        steps.push({ op: "reclaim" });
      }
    }
  }
  return steps;
}

/** The steps of a checked workload at this seed. */
export function checkedWorkloadSteps(w: CheckedWorkload, seed: number): Step[] {
  return workloadSteps(w.workload.build({ seed, objects: w.objects, rounds: w.rounds }));
}
