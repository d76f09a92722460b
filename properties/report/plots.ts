/**
 * The report's plots, drawn with Vega-Lite and rendered to SVG without a browser (vega's
 * headless View, renderer "none"), so the report reads offline and GitHub shows the files.
 *
 * Each plot shows one quantity, one small panel per target (rows) and per workload (columns),
 * so that no line hides another (two designs with the same figures draw the same line) and each
 * is labelled by its row; the x axis has a tick at each measured point, the y axis is each
 * panel's own, from its values:
 *
 *   utilization (%)   alloc-1 free-1 refill-1 ...      comparisons per allocation
 *   kiran-2005-09     100 ┤ ●    ●                       kiran-2005-01  4,000 ┤       ●
 *                      50 ┤   ●                                        2,000 ┤ ●  ●
 *   legacy-2.6.10     100 ┤ ●──●──●                                        10  100  1000 live
 *
 * A quantity a design does not count (familyCounts.ts: legacy counts no work, the area map
 * scans map entries and not bits) or a target does not report (an external harness) is left
 * out of that plot, and the plot's subtitle names what was left out and why.
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { MetricsReport, WorkPerOp } from "../metrics/index.ts";
import { familyCounts } from "../review/familyCounts.ts";

/** Renders a Vega-Lite spec to an SVG document. */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** The width and height of one panel, in pixels. */
const PANEL = { width: 300, height: 80 } as const;

/**
 * A target's name in a plot: its id, an external harness by its program's file name and
 * arguments (the full command is in the report's tables), so that a path does not push the
 * panels aside.
 */
export function plotName(id: string): string {
  if (!id.startsWith("external:")) return id;
  const [program = "", ...args] = id.slice("external:".length).split(" ");
  const short = ["external:" + (program.split("/").pop() ?? program), ...args].join(" ");
  return short.length > 40 ? `${short.slice(0, 39)}…` : short;
}

/** A row per target, in the order given, its name above its panels. */
function targetRows(order: readonly string[]) {
  return {
    field: "target",
    type: "nominal" as const,
    sort: [...order],
    title: null,
    header: {
      labelOrient: "top" as const,
      labelAnchor: "start" as const,
      labelAlign: "left" as const,
      labelAngle: 0,
      labelFontSize: 12,
      labelFontWeight: "bold" as const,
    },
  };
}

/** Utilization after each phase (alloc, free, refill, ... through the churn rounds), per target. */
export function utilizationSpec(reports: readonly MetricsReport[]): vl.TopLevelSpec {
  const order = reports[0]?.phases.map((p) => p.name) ?? [];
  const values = reports.flatMap((r) =>
    r.phases.map((p) => ({
      target: plotName(r.target),
      phase: p.name,
      utilization: Math.round(p.utilization * 1000) / 10,
    })),
  );
  const targets = reports.map((r) => plotName(r.target));
  return {
    $schema: SCHEMA,
    title: {
      text: "Utilization after each phase of the churn rounds",
      subtitle: `${reports[0]?.workload ?? ""} workload, seed ${reports[0]?.seed ?? ""}; live bytes / bytes held`,
    },
    background: "white",
    data: { values },
    facet: { row: targetRows(targets) },
    spec: {
      ...PANEL,
      width: Math.max(PANEL.width, 44 * order.length),
      mark: { type: "line", point: { size: 40 }, strokeWidth: 2 },
      encoding: {
        x: {
          field: "phase",
          type: "ordinal",
          sort: order,
          title: "after phase",
          axis: { labelAngle: 0 },
        },
        y: {
          field: "utilization",
          type: "quantitative",
          title: "%",
          scale: { domain: [0, 100] },
          axis: { values: [0, 50, 100], titleAngle: 0, titleAlign: "right", titleY: 40 },
        },
        color: { field: "target", type: "nominal", scale: { domain: targets }, legend: null },
      },
    },
  };
}

/** One quantity of the work-growth points. */
export interface GrowthQuantity {
  /** The file name's stem and the field of WorkPerOp. */
  readonly field: keyof Pick<WorkPerOp, "comparisons" | "loop_iterations" | "bits_scanned">;
  /** Lower-case words with the unit, as the review names it. */
  readonly label: string;
}

export const GROWTH_QUANTITIES: readonly GrowthQuantity[] = [
  { field: "comparisons", label: "comparisons per alloc" },
  { field: "loop_iterations", label: "loop iterations per alloc" },
  { field: "bits_scanned", label: "bits scanned per alloc" },
];

/** One target's work-growth reports (one per workload) and its design family. */
export interface GrowthSeries {
  readonly target: string;
  readonly design: string | undefined;
  readonly reports: readonly MetricsReport[];
}

/** Why a target has no line in a quantity's plot, or undefined when it has one. */
export function growthLeftOut(s: GrowthSeries, q: GrowthQuantity): string | undefined {
  const counts = familyCounts(s.design);
  if (!counts.work) return "counts no work";
  if (q.field === "bits_scanned" && counts.scanned !== "bits") {
    return counts.scanned === undefined ? "scans no bitmap" : `counts ${counts.scanned}`;
  }
  const measured = s.reports.some((r) => r.metrics.work_growth.some((g) => g.alloc !== null));
  return measured ? undefined : "reports no work counters";
}

/** A quantity of the work per allocation against live objects: a row per target, a column per workload. */
export function growthSpec(series: readonly GrowthSeries[], q: GrowthQuantity): vl.TopLevelSpec {
  const shown = series.filter((s) => growthLeftOut(s, q) === undefined);
  const left = series
    .filter((s) => growthLeftOut(s, q) !== undefined)
    .map((s) => `${plotName(s.target)} (${growthLeftOut(s, q) ?? ""})`);
  const values = shown.flatMap((s) =>
    s.reports.flatMap((r) =>
      r.metrics.work_growth.flatMap((g) =>
        g.alloc === null
          ? []
          : [{ target: s.target, workload: r.workload, live: g.live, value: g.alloc[q.field] }],
      ),
    ),
  );
  const live = [...new Set(values.map((v) => v.live))].sort((a, b) => a - b);
  const workloads = [...new Set(values.map((v) => v.workload))];
  const seed = series[0]?.reports[0]?.seed ?? "";
  const targets = shown.map((s) => plotName(s.target));
  return {
    $schema: SCHEMA,
    title: {
      text: `${(q.label[0] ?? "").toUpperCase()}${q.label.slice(1)} as live objects grow`,
      subtitle: [
        `32 allocations measured at each point, after 2 x live allocated and a random half freed; seed ${seed}`,
        ...(left.length > 0 ? [`not drawn: ${left.join(", ")}`] : []),
      ],
    },
    background: "white",
    data: { values },
    facet: {
      row: targetRows(targets),
      column: {
        field: "workload",
        type: "nominal",
        sort: workloads,
        title: null,
        header: { labelFontSize: 12 },
      },
    },
    resolve: { scale: { y: "independent" } },
    spec: {
      ...PANEL,
      mark: { type: "line", point: { size: 40 }, strokeWidth: 2 },
      encoding: {
        x: {
          field: "live",
          type: "ordinal",
          sort: live,
          title: "live objects",
          axis: { labelAngle: 0 },
        },
        y: {
          field: "value",
          type: "quantitative",
          title: null,
          scale: { zero: true, nice: true },
          axis: { tickCount: 3, format: ",~r" },
        },
        // Every target keeps its colour from plot to plot, drawn or not.
        color: {
          field: "target",
          type: "nominal",
          scale: { domain: series.map((s) => plotName(s.target)) },
          legend: null,
        },
      },
    },
  };
}
