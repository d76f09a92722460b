/**
 * The figures a review compares, with one naming style, the designs each applies to, and the
 * noise below which a change is shown as equal.
 *
 * Names: lower-case words with their unit ("pages held at NR_CPUS 512", "comparisons per alloc
 * at 100 live"); the JSON key is the same name in snake_case (`pages_held_at_nr_cpus_512`), made
 * from it by `metricKey`, so the two cannot drift apart.
 *
 * Designs: a figure applies to a design when the design counts it (familyCounts.ts): legacy
 * has no work figures (its zeros are "not counted", not "no work") and no blocks; the area
 * map's scan counter counts map entries, not bits (its row is "map entries scanned", and "bits
 * scanned" is n/a for it); a kiran block and a chunk are different things (each its own row);
 * scratch memory is modelled for kiran-2005 only. A figure that does not apply is left out and
 * shows as n/a beside a design that has it. An external harness counts no comparisons or loop
 * iterations (its figures are null); one that reports `work` in `stats` (the linux harness: its
 * kernel's bitmap helper calls and words) has rows of its own for them, which appear only for
 * a report that has them. Its grouping is what `inspect` calls blocks.
 *
 * Noise: every figure is counted, not timed, and both sides run the same seeded workload, so
 * counts (pages, bytes, blocks, chunks, loads per deref) and utilization are compared exactly.
 * A mean per operation (work per alloc or free, pages touched per CPU) is an average over a
 * small sample of operations (32 at each growth point), where one operation taking another path
 * moves it by a few tenths of a percent: a change within NOISE_RELATIVE of BASE is equal.
 */
import type { Better, MetricsReport, WorkPerOp } from "../metrics/index.ts";
import { familyCounts } from "./familyCounts.ts";

/** How a figure is compared: exactly, or as a mean per operation (within NOISE_RELATIVE). */
export type Noise = "exact" | "mean";

/** A change of a mean below this fraction of BASE is shown as equal. */
export const NOISE_RELATIVE = 0.01;

export interface ReviewMetric {
  /** snake_case of the label: the JSON spelling. */
  readonly metric: string;
  /** Lower-case words with the unit: the text and Markdown spelling. */
  readonly label: string;
  /** Null: not measured, or does not apply to the design. */
  readonly value: number | null;
  readonly better: Better;
  readonly noise: Noise;
}

/** "pages held at NR_CPUS 512" -> "pages_held_at_nr_cpus_512". */
export function metricKey(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

/**
 * Every figure of a report that applies to a target of this design family (one that does not
 * apply is left out; beside a design that has it, it shows as n/a).
 */
export function reviewMetrics(r: MetricsReport, design: string | undefined): ReviewMetric[] {
  const c = familyCounts(design);
  const out: ReviewMetric[] = [];
  const add = (
    label: string,
    value: number | null | undefined,
    better: Better,
    noise: Noise = "exact",
  ) => out.push({ metric: metricKey(label), label, value: value ?? null, better, noise });
  const work = (v: number | undefined) => (c.work ? v : null);
  // A harness's own counts: rows only where the report has them (a design's figures above).
  const counted = (label: string, w: WorkPerOp | null) => {
    if (w?.bitmap_calls === undefined) return;
    add(`bitmap calls per ${label}`, w.bitmap_calls, "lower", "mean");
    add(`bitmap words per ${label}`, w.bitmap_words, "lower", "mean");
  };
  const g = c.grouping;
  for (const p of r.phases) {
    add(`utilization after ${p.name}`, p.utilization, "higher");
    if (g !== undefined) add(`${g} held after ${p.name}`, p.blocks, "lower");
  }
  const m = r.metrics;
  add("memory loads per deref", m.mem_refs_per_deref, "lower");
  add("vmalloc bytes", m.vm_bytes, "lower");
  add("metadata bytes", m.meta_bytes, "lower");
  add("pages in low memory", m.pages_low, "lower");
  add("pages in high memory", m.pages_high, "neutral");
  add("pages touched per CPU", m.pages_touched_per_cpu, "lower", "mean");
  for (const n of [8, 512] as const) {
    add(`pages held at NR_CPUS ${n}`, (n === 8 ? m.nr_cpus_8 : m.nr_cpus_512).pages, "lower");
  }
  add("vmalloc bytes at NR_CPUS 512", m.nr_cpus_512.vm_bytes, "lower");
  for (const n of [8, 512] as const) {
    const f = n === 8 ? m.nr_cpus_8 : m.nr_cpus_512;
    add(
      `loop iterations per alloc at NR_CPUS ${n}`,
      work(f.work_per_alloc?.loop_iterations),
      "lower",
      "mean",
    );
    counted(`alloc at NR_CPUS ${n}`, f.work_per_alloc);
  }
  const vm = m.vmalloc_128m_at_512;
  if (g !== undefined) {
    add(`${g} in 128 MiB vmalloc at NR_CPUS 512`, vm.vmalloc_full ? vm.blocks : null, "higher");
  }
  for (const point of m.work_growth) {
    const at = `at ${point.live} live`;
    const { alloc, free } = point;
    add(`comparisons per alloc ${at}`, work(alloc?.comparisons), "lower", "mean");
    if (c.scanned !== undefined) {
      add(`${c.scanned} scanned per alloc ${at}`, work(alloc?.bits_scanned), "lower", "mean");
    }
    add(`loop iterations per alloc ${at}`, work(alloc?.loop_iterations), "lower", "mean");
    add(`loop iterations per free ${at}`, work(free?.loop_iterations), "lower", "mean");
    counted(`alloc ${at}`, alloc);
    counted(`free ${at}`, free);
  }
  add("scratch bytes per operation", m.scratch_bytes, "lower");
  add("scratch bytes per operation at NR_CPUS 512", m.nr_cpus_512.scratch_bytes, "lower");
  return out;
}

/** How HEAD's figure compares with BASE's. */
export type MetricChange = "better" | "worse" | "same" | "changed" | "n/a";

/** The change of one figure: n/a when either side has none, equal within its noise. */
export function metricChange(
  base: number | null,
  head: number | null,
  better: Better,
  noise: Noise,
): MetricChange {
  if (base === null || head === null) return "n/a";
  const delta = head - base;
  if (delta === 0) return "same";
  if (noise === "mean" && base !== 0 && Math.abs(delta) <= NOISE_RELATIVE * Math.abs(base)) {
    return "same";
  }
  if (better === "neutral") return "changed";
  return (better === "higher" ? delta > 0 : delta < 0) ? "better" : "worse";
}
