/**
 * `metrics --counterexample FILE`: the workload of a `utilization-after-churn` counterexample
 * measured as any workload is (every phase's utilization, blocks, bytes, pages; the target's
 * metrics), on the file's target or on the one `--target`/`--external` names, then each refill
 * judged at the file's threshold.
 *
 *   refill-1: 97.95% < 98.00% (52.12% right after free-1): utilization-after-churn breaks here
 */
import {
  churnPhases,
  CounterexampleFileError,
  describeChurn,
  percent,
  readCounterexample,
  type ChurnParams,
  type MetricsReport,
  type Workload,
} from "../properties/index.ts";
import { UsageError } from "./usageError.ts";

/** A churn file's workload and threshold; errors name the file and the field. */
export interface ChurnFileWorkload {
  readonly file: string;
  readonly params: ChurnParams;
  readonly threshold: number;
  readonly target: ReturnType<typeof readCounterexample>["target"];
}

export function readChurnFile(file: string): ChurnFileWorkload {
  let ce;
  try {
    ce = readCounterexample(file);
  } catch (e) {
    if (e instanceof CounterexampleFileError) throw new UsageError(e.message);
    throw e;
  }
  if (ce.churn === undefined) {
    throw new UsageError(
      `${file}: field churn: missing; --counterexample reads the workload of a utilization-after-churn file (invariant ${ce.invariant} has none)`,
    );
  }
  return { file, params: ce.churn.workload, threshold: ce.churn.threshold, target: ce.target };
}

/** The file's workload as a workload of `metrics`: its phases, whatever the options. */
export function churnWorkload(w: ChurnFileWorkload): Workload {
  return {
    id: "churn",
    title: describeChurn(w.params),
    source: w.file,
    defaultObjects: w.params.objects,
    build: () => churnPhases(w.params),
  };
}

/** Each refill judged at the threshold, its trough beside it. */
export function churnVerdict(report: MetricsReport, threshold: number): string[] {
  const lines: string[] = [];
  let trough: number | undefined;
  for (const p of report.phases) {
    if (p.name.startsWith("free-")) trough = p.utilization;
    if (!p.name.startsWith("refill-")) continue;
    const u = p.unit_bytes === 0 ? 0 : p.live_bytes / p.unit_bytes;
    const round = p.name.slice("refill-".length);
    const broken = p.live_bytes < threshold * p.unit_bytes;
    lines.push(
      `${p.name}: ${percent(u)} ${broken ? "<" : ">="} ${percent(threshold)} (${percent(trough ?? 0)} right after free-${round})${broken ? ": utilization-after-churn breaks here" : ""}`,
    );
  }
  return lines;
}
