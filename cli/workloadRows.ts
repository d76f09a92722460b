/**
 * The rows of the workloads' checked runs (properties/runner/workloadCheck.ts) in `check`'s
 * text and JSON: one per workload, its steps and verdict, and for a failure the invariant,
 * the counterexample's length and file.
 *
 *   workloads (checked runs, all invariants still passing, white-box ones at the audits):
 *     kiran-2005   2,000 objects   5,000 steps  pass
 *     counters     2,000 objects     256 steps  FAIL bitmap-chunk-hint: 12 steps (1-minimal), pcpu-verify-out/....json
 */
import type { WorkloadRow } from "../properties/index.ts";
import { plural } from "./format.ts";

/** A workload's row in `check --json` (`workloads.<target>[]`). */
export interface WorkloadRowJson {
  workload: string;
  objects: number;
  steps: number;
  status: WorkloadRow["status"];
  invariant?: string;
  reason?: string;
  counterexample?: { file: string | undefined; length: number; minimal: boolean; message: string };
}

export function workloadRowJson(
  row: WorkloadRow,
  files: ReadonlyMap<string, string>,
): WorkloadRowJson {
  const ce = row.counterexample;
  return {
    workload: row.workload,
    objects: row.objects,
    steps: row.steps,
    status: row.status,
    ...(row.invariant !== undefined ? { invariant: row.invariant } : {}),
    ...(row.reason !== undefined ? { reason: row.reason } : {}),
    ...(ce !== undefined
      ? {
          counterexample: {
            file: files.get(ce.invariant),
            length: ce.steps.length,
            minimal: row.minimal === true,
            message: ce.message,
          },
        }
      : {}),
  };
}

/** The text lines under a target's report. */
export function workloadLines(
  rows: readonly WorkloadRow[],
  files: ReadonlyMap<string, string>,
): string[] {
  if (rows.length === 0) return [];
  const width = Math.max(...rows.map((r) => r.workload.length));
  return [
    "  workloads (checked runs; white-box invariants judged at the audits):",
    ...rows.map((r) => {
      const head = `    ${r.workload.padEnd(width)}  ${plural(r.objects, "object").padStart(13)}  ${plural(r.steps, "step").padStart(11)}  `;
      if (r.status === "pass")
        return `${head}pass${r.reason !== undefined ? ` (${r.reason})` : ""}`;
      if (r.status === "not-checked") return `${head}not-checked (${r.reason ?? ""})`;
      const ce = r.counterexample;
      const length =
        ce === undefined
          ? ""
          : `: ${plural(ce.steps.length, "step")} (${r.minimal === true ? "1-minimal" : "reduced, not 1-minimal"})`;
      const file = ce !== undefined ? files.get(ce.invariant) : undefined;
      return `${head}FAIL ${r.invariant ?? ""}${length}${file !== undefined ? `, ${file}` : ""}`;
    }),
  ];
}
