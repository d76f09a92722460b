/**
 * The published tables, measured (`npx tsx bench/workloadTables.ts [zhou-objects]`):
 *
 * 1. the 2005 thread's table (<20050112181230.GA2035@impedimenta.in.ibm.com>): kiran-2005 on
 *    every revision, utilization and blocks after alloc-1, free-1, refill-1;
 * 2. churn: kiran-2005 with 5 rounds, utilization after each refill, per revision;
 * 3. Dennis Zhou's table (<20170724230220.21774-1-dennisz@fb.com>): zhou-2017 on
 *    areamap-2009 and bitmap-2017 (when both are revisions): per size, the worst of the three
 *    free orders, in ms and in counted work per operation, and the areamap / bitmap ratios.
 *
 * Prints Markdown tables for BENCHMARKS.md. Times are medians of 3 runs after a warm-up.
 */
import os from "node:os";
import {
  findTarget,
  findWorkload,
  metricsBootConfig,
  REVISION_TARGETS,
  runWorkload,
  ZHOU_ORDERS,
  ZHOU_SIZES,
  type PhaseMetrics,
  type Target,
  type Workload,
} from "../properties/index.ts";

const SEED = 20051;
const workload = (id: string): Workload => {
  const w = findWorkload(id);
  if (w === undefined) throw new Error(`no workload ${id}`);
  return w;
};
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const out = (line = "") => process.stdout.write(`${line}\n`);

function phases(t: Target, w: Workload, objects: number, rounds: number, timing = false) {
  const script = w.build({ seed: SEED, objects, rounds });
  return runWorkload(t, script, { boot: metricsBootConfig(8), timing }).phases;
}

out(
  `Machine: ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores, Node ${process.version}`,
);
out();
out("### The 2005 table: `kiran-2005` (2000 objects, seed 20051)");
out();
out("| revision | alloc-1 | free-1 | refill-1 |");
out("| --- | ---: | ---: | ---: |");
out("| the thread (Jan 2005) | 98.7%, 504 blocks | 54.8%, 458 blocks | 98.2%, 772 blocks |");
for (const t of REVISION_TARGETS) {
  const p = phases(t, workload("kiran-2005"), 2000, 1);
  const cell = (x: PhaseMetrics | undefined) =>
    x === undefined ? "" : `${pct(x.utilization)}, ${x.blocks ?? "n/a"} blocks`;
  out(`| ${t.id} | ${cell(p[0])} | ${cell(p[1])} | ${cell(p[2])} |`);
}
out();
out("### Churn: utilization after each refill (`kiran-2005 --rounds 5`)");
out();
out("| revision | refill-1 | refill-2 | refill-3 | refill-4 | refill-5 | trough (free-k) |");
out("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const t of REVISION_TARGETS) {
  const p = phases(t, workload("kiran-2005"), 2000, 5);
  const refills = p.filter((x) => x.name.startsWith("refill-")).map((x) => pct(x.utilization));
  const trough = Math.min(...p.filter((x) => x.name.startsWith("free-")).map((x) => x.utilization));
  out(`| ${t.id} | ${refills.join(" | ")} | ${pct(trough)} |`);
}

const base = findTarget("areamap-2009");
const head = findTarget("bitmap-2017");
if (base !== undefined && head !== undefined) {
  const n = Number(process.argv[2] ?? 4096);
  const median = (xs: number[]) =>
    xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const measure = (t: Target) => {
    phases(t, workload("zhou-2017"), n, 1, true); // warm-up
    const runs = [0, 1, 2].map(() => phases(t, workload("zhou-2017"), n, 1, true));
    const first = runs[0] as PhaseMetrics[];
    return first.map((p, i) => ({
      ...p,
      elapsed_ms: median(runs.map((r) => (r[i] as PhaseMetrics).elapsed_ms ?? 0)),
    }));
  };
  const work = (p: PhaseMetrics) =>
    (p.work_per_op?.comparisons ?? 0) +
    (p.work_per_op?.loop_iterations ?? 0) +
    (p.work_per_op?.bits_scanned ?? 0);
  const a = measure(base);
  const b = measure(head);
  const worst = (ps: PhaseMetrics[], kind: "alloc" | "free", label: string) => {
    const mine = ps.filter((p) => ZHOU_ORDERS.some((o) => p.name === `${kind}-${label}-${o}`));
    return {
      ms: Math.max(...mine.map((p) => p.elapsed_ms ?? 0)),
      work: Math.max(...mine.map(work)),
    };
  };
  out();
  out(`### Zhou's table: \`zhou-2017\`, ${n} objects per size, worst of the three free orders`);
  out();
  out(
    "Work per operation = comparisons + loop iterations + map entries or bits scanned, as each design counts them.",
  );
  out();
  out(
    "| size | areamap alloc ms / free ms | bitmap alloc ms / free ms | time ratio alloc / free | work ratio alloc / free |",
  );
  out("| --- | ---: | ---: | ---: | ---: |");
  for (const label of [...ZHOU_SIZES.map(String), "4-align8"]) {
    const aa = worst(a, "alloc", label);
    const af = worst(a, "free", label);
    const ba = worst(b, "alloc", label);
    const bf = worst(b, "free", label);
    const r = (x: number, y: number) => (y === 0 ? "n/a" : `${(x / y).toFixed(2)}×`);
    out(
      `| ${label} | ${aa.ms.toFixed(1)} / ${af.ms.toFixed(1)} | ${ba.ms.toFixed(1)} / ${bf.ms.toFixed(1)} | ${r(aa.ms, ba.ms)} / ${r(af.ms, bf.ms)} | ${r(aa.work, ba.work)} / ${r(af.work, bf.work)} |`,
    );
  }
} else {
  out();
  out("(zhou-2017 table: needs the revisions areamap-2009 and bitmap-2017)");
}
