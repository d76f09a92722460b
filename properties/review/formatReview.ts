/**
 * A review as text (for the terminal) and as Markdown (to paste into a patch review on a
 * mailing list or a forge; GitHub renders the tables).
 *
 *   HEAD is better on 5 metrics (utilization after alloc-1, …), worse on 2 (…); invariants: same
 *
 *   | invariant  | BASE             | HEAD                  | change     |
 *   | no-overlap | pass             | fail (3 steps)        | regression |
 *
 *   | workload | metric                        | BASE   | HEAD   | change          |        |
 *   | counters | utilization after alloc-1     | 48.83% | 97.66% | +48.83 pts      |        |
 *   | counters | comparisons per alloc at 1000 | 2,857  | 102    | -2,755 (-96.4%) |        |
 *   | ...      | pages in low memory           | 12     | 17     | +5 (+41.7%)     | worse  |
 *
 * "=" is no change, "≈" a change of a mean within its noise (reviewMetrics.ts), n/a a figure
 * that either side does not have (not measured, or not counted by its design).
 */
import type { InvariantRow, InvariantSide, MetricRow, Review } from "./buildReview.ts";

const num = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 3 });

function isUtilization(row: MetricRow): boolean {
  return row.label.startsWith("utilization");
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** A metric value: a percentage for utilization, a grouped number otherwise. */
export function formatValue(row: MetricRow, v: number | null): string {
  if (v === null) return "n/a";
  return isUtilization(row) ? `${(v * 100).toFixed(2)}%` : num(v);
}

/** The change: "+5 (+41.7%)", "+48.83 pts" for utilization, "=" for none, "≈" within noise. */
export function formatChange(row: MetricRow): string {
  if (row.delta === null) return "n/a";
  if (row.delta === 0) return "=";
  if (row.change === "same") return "≈";
  const sign = row.delta > 0 ? "+" : "-";
  if (isUtilization(row)) return `${sign}${Math.abs(row.delta * 100).toFixed(2)} pts`;
  const rel = row.relative === null ? "" : ` (${sign}${Math.abs(row.relative * 100).toFixed(1)}%)`;
  return `${sign}${num(Math.abs(row.delta))}${rel}`;
}

export function formatSide(s: InvariantSide): string {
  if (s.applies === false) return "n/a";
  const len = s.length === undefined ? "" : ` (${plural(s.length, "step")})`;
  return `${s.status}${len}${s.expected ? ", by design" : ""}`;
}

function invariantCells(r: InvariantRow): string[] {
  const change = r.change === "same" || r.change === "n/a" ? "" : r.change;
  return [r.invariant, formatSide(r.base), formatSide(r.head), change];
}

function metricCells(r: MetricRow): string[] {
  return [
    r.workload,
    r.label,
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

/** At most three names, then how many more: "a, b, c and 4 more". */
function someOf(names: readonly string[]): string {
  const distinct = [...new Set(names)];
  const shown = distinct.slice(0, 3).join(", ");
  return distinct.length > 3 ? `${shown} and ${distinct.length - 3} more` : shown;
}

/** The invariants in one phrase: "same", or "1 regression (no-overlap), 2 fixed (…)". */
function invariantsSummary(review: Review): string {
  const parts = (["regression", "fixed", "changed"] as const).flatMap((change) => {
    const names = review.invariants.filter((i) => i.change === change).map((i) => i.invariant);
    if (names.length === 0) return [];
    const what =
      change === "regression" ? plural(names.length, "regression") : `${names.length} ${change}`;
    return [`${what} (${someOf(names)})`];
  });
  return parts.length === 0 ? "same" : parts.join(", ");
}

/**
 * The review in one line, which side is better and on what (the largest changes named first):
 * "HEAD is better on 3 metrics (…), worse on 1 metric (…); 20 equal, 4 n/a; invariants: same".
 */
export function reviewSummary(review: Review): string {
  const of = (change: MetricRow["change"]) => review.metrics.filter((m) => m.change === change);
  const better = of("better");
  const worse = of("worse");
  // The largest relative changes first (from 0 counts as the largest).
  const size = (r: MetricRow) => (r.relative === null ? Infinity : Math.abs(r.relative));
  const counted = (rows: readonly MetricRow[]) => {
    const names = [...rows].sort((a, b) => size(b) - size(a)).map((r) => r.label);
    return rows.length === 0 ? "none" : `${plural(rows.length, "metric")} (${someOf(names)})`;
  };
  const changed = of("changed").length;
  const rest = [
    `${of("same").length} equal`,
    ...(changed > 0 ? [`${changed} neutral`] : []),
    `${of("n/a").length} n/a`,
  ].join(", ");
  const side =
    better.length === 0 && worse.length === 0
      ? "HEAD and BASE are equal on every metric"
      : `HEAD is better on ${counted(better)}, worse on ${counted(worse)}`;
  return `${side}; ${rest}; invariants: ${invariantsSummary(review)}`;
}

/**
 * The rows `--changed-only` keeps: the changes, not "same" (equal, or within noise) nor "n/a"
 * (a figure or an invariant that one side does not have).
 */
export function changedRows(review: Review): { invariants: InvariantRow[]; metrics: MetricRow[] } {
  const changed = (c: string) => c !== "same" && c !== "n/a";
  return {
    invariants: review.invariants.filter((i) => changed(i.change)),
    metrics: review.metrics.filter((m) => changed(m.change)),
  };
}

export interface MarkdownOptions {
  /** Heading level of the review's title (2 gives "##"). */
  readonly level?: number;
  /** Only the rows that changed (`--changed-only`, the report's compact form). */
  readonly changedOnly?: boolean;
}

/** The review as Markdown. */
export function reviewMarkdown(review: Review, options: MarkdownOptions = {}): string[] {
  const h = "#".repeat(options.level ?? 2);
  const rows = options.changedOnly
    ? changedRows(review)
    : { invariants: review.invariants, metrics: review.metrics };
  const only = options.changedOnly ? " (the rows that changed)" : "";
  return [
    `${h} Review: \`${review.base}\` → \`${review.head}\``,
    "",
    `${reviewSummary(review)}.`,
    "",
    `Seed ${review.seed}, ${plural(review.runs, "run")} per round.`,
    "",
    `${h}# Invariants${only}`,
    "",
    ...(rows.invariants.length > 0
      ? markdownTable(
          ["invariant", "BASE", "HEAD", "change"],
          rows.invariants.map(invariantCells),
          [],
        )
      : ["No invariant changed."]),
    "",
    `${h}# Metrics${only}`,
    "",
    ...(rows.metrics.length > 0
      ? markdownTable(
          ["workload", "metric", "BASE", "HEAD", "change", ""],
          rows.metrics.map((r) => {
            const cells = metricCells(r);
            return r.worse ? [...cells.slice(0, 5), "**worse**"] : cells;
          }),
          [2, 3, 4],
        )
      : ["No metric changed."]),
  ];
}

/** The review as aligned text (`formatTable` from the CLI does the alignment). */
export function reviewRows(
  review: Review,
  options: Pick<MarkdownOptions, "changedOnly"> = {},
): { invariants: string[][]; metrics: string[][] } {
  const rows = options.changedOnly ? changedRows(review) : review;
  return {
    invariants: rows.invariants.map(invariantCells),
    metrics: rows.metrics.map(metricCells),
  };
}
