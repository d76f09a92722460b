/**
 * A patch review in numbers: two targets (BASE and HEAD, e.g. two revisions of one patch)
 * checked against the invariants and measured on the same workloads with the same seed.
 *
 *          BASE                         HEAD
 *   checkTarget ──> status, counterexample length per invariant ──> side by side
 *   measureTarget(w) for each workload w ──> every scalar metric ──> base, head, change
 *                                                                    flagged where HEAD is worse
 *
 * "What did this patch revision change, against the invariants and against the numbers the
 * thread argued about?" (the 2005 review: Andrew Morton <20050113005730.0e10b2d9.akpm@osdl.org>).
 * An invariant is a regression when BASE passes it and HEAD fails it unexpectedly (a failure a
 * design is known for is reported as expected, as `check` does).
 */
import type { Target } from "../engine/target.ts";
import {
  checkTarget,
  type InvariantResult,
  type Status,
  type TargetReport,
} from "../runner/checkTarget.ts";
import { measureTarget, type Better, type MetricsReport } from "../metrics/index.ts";
import type { Workload } from "../workloads/index.ts";
import { round } from "../metrics/workCounters.ts";
import {
  metricChange,
  reviewMetrics,
  type MetricChange,
  type Noise,
  type ReviewMetric,
} from "./reviewMetrics.ts";

export interface ReviewOptions {
  readonly seed: number;
  /** fast-check runs per round of the invariant check. */
  readonly runs: number;
  readonly maxCommands: number;
  /**
   * Run the state-machine model's paths (refinement) too: true always, false never; by default
   * on in-process targets and not on external harnesses, as `check` does (the model's ~100,000
   * commands cost minutes over a pipe).
   */
  readonly model?: boolean;
  readonly workloads: readonly Workload[];
  /** Workload scale (default: each workload's published size). */
  readonly objects?: number;
  readonly growthMax?: number;
  /** Called before each part (progress). */
  readonly onPart?: (part: string) => void;
  /** Where a caller that already checked or measured a target supplies it (the report). */
  readonly checkOf?: (target: Target) => TargetReport;
  readonly measureOf?: (target: Target, workload: Workload) => MetricsReport;
}

export interface InvariantSide {
  readonly status: Status;
  /** False: the invariant is not one of this target's (another design's white-box one). */
  readonly applies?: false;
  /** A failure the design is known for. */
  readonly expected?: true;
  /** Steps of the 1-minimal counterexample. */
  readonly length?: number;
  /** What broke, as the counterexample says it. */
  readonly message?: string;
}

/** n/a: the invariant is one side's only (a white-box invariant of its design). */
export type InvariantChange = "same" | "regression" | "fixed" | "changed" | "n/a";

export interface InvariantRow {
  readonly invariant: string;
  readonly base: InvariantSide;
  readonly head: InvariantSide;
  readonly change: InvariantChange;
}

export interface MetricRow {
  readonly workload: string;
  /** The figure's name in snake_case (see reviewMetrics.ts). */
  readonly metric: string;
  /** The same name in words, with its unit, as text and Markdown show it. */
  readonly label: string;
  readonly base: number | null;
  readonly head: number | null;
  /** head - base (null when either is unmeasured). */
  readonly delta: number | null;
  /** delta / |base| (null when base is 0 or unmeasured). */
  readonly relative: number | null;
  readonly better: Better;
  readonly noise: Noise;
  /** better, worse, same (within noise), changed (no better direction), n/a (either is null). */
  readonly change: MetricChange;
  /** HEAD is worse than BASE on this figure. */
  readonly worse: boolean;
}

export interface Review {
  readonly base: string;
  readonly head: string;
  readonly seed: number;
  readonly runs: number;
  /** Whether each side's check ran the state-machine model's rounds. */
  readonly model: { readonly base: boolean; readonly head: boolean };
  readonly invariants: readonly InvariantRow[];
  readonly metrics: readonly MetricRow[];
  /** The full reports, for plots (one per workload, base then head). */
  readonly reports: {
    readonly base: readonly MetricsReport[];
    readonly head: readonly MetricsReport[];
  };
  /** The two checks, for the counterexample files of the regressions. */
  readonly checks: { readonly base: TargetReport; readonly head: TargetReport };
}

function side(r: InvariantResult | undefined): InvariantSide {
  if (r === undefined) return { status: "not-checked", applies: false };
  const ce = r.counterexample;
  return {
    status: r.status,
    ...(r.expected === true ? { expected: true as const } : {}),
    ...(ce !== undefined ? { length: ce.steps.length, message: ce.message } : {}),
  };
}

/** Whether a side counts as failing unexpectedly. */
const badly = (s: InvariantSide) =>
  s.status !== "pass" && s.status !== "not-checked" && s.expected !== true;

export function invariantChange(base: InvariantSide, head: InvariantSide): InvariantChange {
  if (base.applies === false || head.applies === false) return "n/a";
  if (base.status === head.status && base.expected === head.expected) return "same";
  if (!badly(base) && badly(head)) return "regression";
  if (badly(base) && !badly(head)) return "fixed";
  return "changed";
}

/**
 * The names of both lists in one order: BASE's, with each name only HEAD has placed after the
 * name HEAD lists before it (a chunk design's rows where a block design's stood).
 */
function unionInOrder(base: readonly string[], head: readonly string[]): string[] {
  const out = [...base];
  const inHead = new Set(head);
  let after = -1;
  for (const name of head) {
    const at = out.indexOf(name);
    if (at >= 0) {
      after = at;
      continue;
    }
    // After the anchor and the BASE-only names that follow it: "blocks held", then "chunks held".
    let pos = after + 1;
    while (pos < out.length && !inHead.has(out[pos] as string)) pos++;
    out.splice(pos, 0, name);
    after = pos;
  }
  return out;
}

/**
 * The metric rows of one workload's two reports, joined by metric name; `baseDesign` and
 * `headDesign` are the targets' design families, which say which figures apply.
 */
export function compareReports(
  base: MetricsReport,
  head: MetricsReport,
  baseDesign?: string,
  headDesign?: string,
): MetricRow[] {
  const bm = reviewMetrics(base, baseDesign);
  const hm = reviewMetrics(head, headDesign);
  const baseByName = new Map(bm.map((m) => [m.metric, m]));
  const headByName = new Map(hm.map((m) => [m.metric, m]));
  const names = unionInOrder(
    bm.map((m) => m.metric),
    hm.map((m) => m.metric),
  );
  return names.map((metric) => {
    const b = baseByName.get(metric);
    const h = headByName.get(metric);
    const { label, better, noise } = (b ?? h) as ReviewMetric;
    const bv = b?.value ?? null;
    const hv = h?.value ?? null;
    const delta = bv !== null && hv !== null ? round(hv - bv, 4) : null;
    const relative =
      delta !== null && bv !== null && bv !== 0 ? round(delta / Math.abs(bv), 4) : null;
    const change = metricChange(bv, hv, better, noise);
    return {
      workload: base.workload,
      metric,
      label,
      base: bv,
      head: hv,
      delta,
      relative,
      better,
      noise,
      change,
      worse: change === "worse",
    };
  });
}

export function buildReview(base: Target, head: Target, options: ReviewOptions): Review {
  const part = options.onPart ?? (() => {});
  const model = (t: Target) => options.model ?? t.kind !== "external";
  const check = (t: Target): TargetReport => {
    part(`invariants of ${t.id}`);
    if (options.checkOf !== undefined) return options.checkOf(t);
    return checkTarget(t, {
      seed: options.seed,
      runs: options.runs,
      maxCommands: options.maxCommands,
      model: model(t),
    });
  };
  const b = check(base);
  const h = check(head);
  const names = [...b.results.map((r) => r.invariant)];
  for (const r of h.results) if (!names.includes(r.invariant)) names.push(r.invariant);
  const invariants = names.map((invariant) => {
    const bs = side(b.results.find((r) => r.invariant === invariant));
    const hs = side(h.results.find((r) => r.invariant === invariant));
    return { invariant, base: bs, head: hs, change: invariantChange(bs, hs) };
  });

  const reports = { base: [] as MetricsReport[], head: [] as MetricsReport[] };
  const metrics: MetricRow[] = [];
  for (const w of options.workloads) {
    const measure = (t: Target) => {
      part(`${w.id} on ${t.id}`);
      if (options.measureOf !== undefined) return options.measureOf(t, w);
      return measureTarget(t, w, {
        seed: options.seed,
        objects: options.objects,
        growthMax: options.growthMax,
      });
    };
    const rb = measure(base);
    const rh = measure(head);
    reports.base.push(rb);
    reports.head.push(rh);
    metrics.push(...compareReports(rb, rh, base.design, head.design));
  }
  return {
    base: base.id,
    head: head.id,
    seed: options.seed,
    runs: options.runs,
    model: { base: model(base), head: model(head) },
    invariants,
    metrics,
    reports,
    checks: { base: b, head: h },
  };
}
