/**
 * A review as text (for the terminal) and as Markdown (to paste into a patch review on a
 * mailing list or a forge; GitHub renders the tables).
 *
 *   | invariant  | BASE             | HEAD                  | change     |
 *   | no-overlap | pass             | fail (3 steps)        | regression |
 *
 *   | workload | metric              | BASE   | HEAD   | change          |        |
 *   | counters | utilization alloc-1 | 48.83% | 97.66% | +48.83 pts      |        |
 *   | counters | comparisons/alloc … | 2,857  | 102    | -2,755 (-96.4%) |        |
 *   | ...      | pages_low           | 12     | 17     | +5 (+41.7%)     | worse  |
 */
import type { InvariantRow, InvariantSide, MetricRow, Review } from "./buildReview.ts";

const num = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 3 });

function isUtilization(row: MetricRow): boolean {
  return row.metric.startsWith("utilization");
}

/** A metric value: a percentage for utilization, a grouped number otherwise. */
export function formatValue(row: MetricRow, v: number | null): string {
  if (v === null) return "n/a";
  return isUtilization(row) ? `${(v * 100).toFixed(2)}%` : num(v);
}

/** The change: "+5 (+41.7%)", "+48.83 pts" for utilization, "=" for none. */
export function formatChange(row: MetricRow): string {
  if (row.delta === null) return row.base === row.head ? "=" : "n/a";
  if (row.delta === 0) return "=";
  const sign = row.delta > 0 ? "+" : "-";
  if (isUtilization(row)) return `${sign}${Math.abs(row.delta * 100).toFixed(2)} pts`;
  const rel = row.relative === null ? "" : ` (${sign}${Math.abs(row.relative * 100).toFixed(1)}%)`;
  return `${sign}${num(Math.abs(row.delta))}${rel}`;
}

export function formatSide(s: InvariantSide): string {
  const len = s.length === undefined ? "" : ` (${s.length} step${s.length === 1 ? "" : "s"})`;
  return `${s.status}${len}${s.expected ? ", by design" : ""}`;
}

function invariantCells(r: InvariantRow): string[] {
  return [r.invariant, formatSide(r.base), formatSide(r.head), r.change === "same" ? "" : r.change];
}

function metricCells(r: MetricRow): string[] {
  return [
    r.workload,
    r.metric,
    formatValue(r, r.base),
    formatValue(r, r.head),
    formatChange(r),
    r.worse ? "worse" : "",
  ];
}

function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[],
): string[] {
  const rule = headers.map((_, i) => (right.includes(i) ? "---:" : "---"));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(headers), line(rule), ...rows.map(line)];
}

export interface MarkdownOptions {
  /** Heading level of the review's title (2 gives "##"). */
  readonly level?: number;
  /** Only the metrics that changed (the report's compact form). */
  readonly changedOnly?: boolean;
}

/** The review as Markdown. */
export function reviewMarkdown(review: Review, options: MarkdownOptions = {}): string[] {
  const h = "#".repeat(options.level ?? 2);
  const worse = review.metrics.filter((m) => m.worse).length;
  const regressions = review.invariants.filter((i) => i.change === "regression").length;
  const metricRows = options.changedOnly
    ? review.metrics.filter((m) => m.delta !== 0 && !(m.base === null && m.head === null))
    : review.metrics;
  return [
    `${h} Review: \`${review.base}\` → \`${review.head}\``,
    "",
    `Seed ${review.seed}, ${review.runs} runs per round. ${regressions} invariant regression${regressions === 1 ? "" : "s"}; HEAD is worse on ${worse} of ${review.metrics.length} figures.`,
    "",
    `${h}# Invariants`,
    "",
    ...markdownTable(
      ["invariant", "BASE", "HEAD", "change"],
      review.invariants.map(invariantCells),
      [],
    ),
    "",
    `${h}# Metrics${options.changedOnly ? " (the figures that changed)" : ""}`,
    "",
    ...markdownTable(
      ["workload", "metric", "BASE", "HEAD", "change", ""],
      metricRows.map((r) => {
        const cells = metricCells(r);
        return r.worse ? [...cells.slice(0, 5), "**worse**"] : cells;
      }),
      [2, 3, 4],
    ),
  ];
}

/** The review as aligned text (`formatTable` from the CLI does the alignment). */
export function reviewRows(review: Review): { invariants: string[][]; metrics: string[][] } {
  return {
    invariants: review.invariants.map(invariantCells),
    metrics: review.metrics.map(metricCells),
  };
}
