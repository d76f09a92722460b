/**
 * The report's plots, drawn with Vega-Lite and rendered to SVG without a browser (vega's
 * headless View, renderer "none"), so the report reads offline and GitHub shows the files.
 *
 *   utilization (%)                       work per allocation (symlog)
 *   100 ┤ ●──●──●   ●──●                  10^4 ┤            ●  kiran-2005-01
 *    75 ┤ ■──■──■──■──■──■  legacy          10^2 ┤     ●  ▲──▲  kiran-2005-09
 *    50 ┤       ●      ●                       0 ┤ ■──■──■──■    legacy
 *       alloc-1 free-1 refill-1 ... refill-5          10   100  1000  10000 live objects
 *
 * Both come from MetricsReport records (properties/metrics): the phases of kiran-2005 with
 * --rounds 5, and the work-growth points.
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { MetricsReport } from "../metrics/index.ts";

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

/** Utilization after each phase (alloc, free, refill, ... through the churn rounds), per target. */
export function utilizationSpec(reports: readonly MetricsReport[]): vl.TopLevelSpec {
  const order = reports[0]?.phases.map((p) => p.name) ?? [];
  const values = reports.flatMap((r) =>
    r.phases.map((p) => ({ target: r.target, phase: p.name, utilization: p.utilization * 100 })),
  );
  return {
    $schema: SCHEMA,
    title: `Utilization through the churn rounds (${reports[0]?.workload ?? ""}, seed ${reports[0]?.seed ?? ""})`,
    width: 520,
    height: 260,
    background: "white",
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "phase", type: "ordinal", sort: order, title: "after phase" },
      y: {
        field: "utilization",
        type: "quantitative",
        title: "utilization (%)",
        scale: { domain: [0, 100] },
      },
      color: { field: "target", type: "nominal", title: "revision" },
    },
  };
}

/** Counted work per allocation against live objects, per target (symlog: zero stays visible). */
export function workGrowthSpec(reports: readonly MetricsReport[]): vl.TopLevelSpec {
  const values = reports.flatMap((r) =>
    r.metrics.work_growth
      .filter((g) => g.alloc !== null)
      .map((g) => ({
        target: r.target,
        live: g.live,
        work:
          (g.alloc?.comparisons ?? 0) +
          (g.alloc?.loop_iterations ?? 0) +
          (g.alloc?.bits_scanned ?? 0),
      })),
  );
  return {
    $schema: SCHEMA,
    title: `Work per allocation as live objects grow (${reports[0]?.workload ?? ""})`,
    width: 520,
    height: 260,
    background: "white",
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "live", type: "quantitative", scale: { type: "log" }, title: "live objects" },
      y: {
        field: "work",
        type: "quantitative",
        scale: { type: "symlog" },
        title: "comparisons + loop iterations + bits scanned",
      },
      color: { field: "target", type: "nominal", title: "revision" },
    },
  };
}
