/**
 * The published tables on the real kernel (`npx tsx bench/linuxTables.ts [zhou-objects]`):
 * the linux harness of each tree that is built (harnesses/linux/build/6.12, build/6.1) beside
 * the bitmap-2017 revision, in the same run, seed 20051.
 *
 * 1. Dennis Zhou's table (<20170724230220.21774-1-dennisz@fb.com>): zhou-2017, per size the
 *    worst of the three free orders: the work per alloc and per free (bitmap words; a design's
 *    bits examined / 64, a harness's words its kernel's bitmap helpers read or wrote, and the
 *    harness's helper calls), and the time per operation: the design's phase time, the
 *    harness's own `kernel_ns` (the kernel's code without the protocol); times are medians of
 *    3 runs, counts come from the first (they are the same in every run).
 * 2. Roman Gushchin's figure (<20210408035736.883861-1-guro@fb.com>): gushchin-2021, the
 *    pages held at boot, after the mass allocation, after the mass free (the worker not run)
 *    and after `reclaim` (the worker run), with the default first chunk and `--small-unit`.
 *
 * Prints Markdown for BENCHMARKS.md, with the load average before and after.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import {
  asExternal,
  externalTarget,
  findTarget,
  findWorkload,
  metricsBootConfig,
  runWorkload,
  WorkloadRun,
  ZHOU_ORDERS,
  ZHOU_SIZES,
  type PhaseMetrics,
  type Target,
  type Workload,
} from "../properties/index.ts";

const SEED = 20051;
const TREES = ["6.12", "6.1"].filter((v) => existsSync(`harnesses/linux/build/${v}/pcpu-linux`));
const out = (line = "") => process.stdout.write(`${line}\n`);
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(", ");
const workload = (id: string): Workload => {
  const w = findWorkload(id);
  if (w === undefined) throw new Error(`no workload ${id}`);
  return w;
};
const median = (xs: readonly number[]) =>
  xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Runs `fn` on a fresh target (a harness is started for it and closed after). */
function withTarget<T>(make: () => Target, fn: (t: Target) => T): T {
  const t = make();
  try {
    return fn(t);
  } finally {
    asExternal(t)?.close();
  }
}

const model = () => {
  const t = findTarget("bitmap-2017");
  if (t === undefined) throw new Error("no revision bitmap-2017");
  return t;
};
const harness =
  (tree: string, args = "") =>
  () =>
    externalTarget(`harnesses/linux/build/${tree}/pcpu-linux${args}`);

interface Side {
  readonly name: string;
  readonly make: () => Target;
}
const sides: Side[] = [
  { name: "bitmap-2017", make: model },
  ...TREES.map((v) => ({ name: `linux ${v}`, make: harness(v) })),
];

out(
  `Machine: ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; load average ${load()}`,
);

// ---- 1. Zhou's table ----
const n = Number(process.argv[2] ?? 4096);
const labels = [...ZHOU_SIZES.map(String), "4-align8"];
interface Cell {
  readonly words: number;
  readonly calls: number | undefined;
  readonly usPerOp: number;
}
type Row = Record<"alloc" | "free", Cell>;
function zhouRows(side: Side): Map<string, Row> {
  const runs = [0, 1, 2].map(() =>
    withTarget(side.make, (t) =>
      runWorkload(t, workload("zhou-2017").build({ seed: SEED, objects: n, rounds: 1 }), {
        boot: metricsBootConfig(8),
        timing: true,
      }).phases.slice(),
    ),
  );
  const first = runs[0] as PhaseMetrics[];
  const ms = (i: number) =>
    median(
      runs.map((r) => (r[i] as PhaseMetrics).kernel_ms ?? (r[i] as PhaseMetrics).elapsed_ms ?? 0),
    );
  const rows = new Map<string, Row>();
  for (const label of labels) {
    const worst = (kind: "alloc" | "free"): Cell => {
      const mine = first
        .map((p, i) => ({ p, i }))
        .filter(({ p }) => ZHOU_ORDERS.some((o) => p.name === `${kind}-${label}-${o}`));
      return {
        words: Math.max(...mine.map(({ p }) => p.work_per_op?.bitmap_words ?? 0)),
        calls: mine.some(({ p }) => p.work_per_op?.bitmap_calls !== undefined)
          ? Math.max(...mine.map(({ p }) => p.work_per_op?.bitmap_calls ?? 0))
          : undefined,
        usPerOp: Math.max(...mine.map(({ p, i }) => (ms(i) * 1000) / p.ops)),
      };
    };
    rows.set(label, { alloc: worst("alloc"), free: worst("free") });
  }
  return rows;
}
const zhou = sides.map((s) => ({ side: s, rows: zhouRows(s) }));
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
out();
out(`### Zhou's table: \`zhou-2017\`, ${n} objects per size, worst of the three free orders`);
out();
out(
  `| size | Zhou's bitmap ms alloc / free (2^20 objects) | ${zhou.map(({ side }) => `${side.name} words alloc / free`).join(" | ")} | ${zhou
    .filter(({ rows }) => rows.get("4")?.alloc.calls !== undefined)
    .map(({ side }) => `${side.name} calls alloc / free`)
    .join(" | ")} | ${zhou.map(({ side }) => `${side.name} µs/op alloc / free`).join(" | ")} |`,
);
out(
  `| --- | ---: | ${zhou.map(() => "---:").join(" | ")} | ${zhou
    .slice(1)
    .map(() => "---:")
    .join(" | ")} | ${zhou.map(() => "---:").join(" | ")} |`,
);
const published: Record<string, string> = {
  "4": "490 / 70",
  "16": "515 / 75",
  "64": "610 / 80",
  "256": "950 / 100",
  "1024": "3520 / 200",
  "4-align8": "~16 s (both)",
};
for (const label of labels) {
  const cells = zhou.map(({ rows }) => rows.get(label) as Row);
  out(
    `| ${label} | ${published[label]} | ${cells.map((c) => `${f2(c.alloc.words)} / ${f2(c.free.words)}`).join(" | ")} | ${cells
      .filter((c) => c.alloc.calls !== undefined)
      .map((c) => `${f1(c.alloc.calls ?? 0)} / ${f1(c.free.calls ?? 0)}`)
      .join(
        " | ",
      )} | ${cells.map((c) => `${f2(c.alloc.usPerOp)} / ${f2(c.free.usPerOp)}`).join(" | ")} |`,
  );
}
out();
out("Growth from 4 to 1024 bytes (the direction of Zhou's table: alloc 7.2×, free 2.9×):");
out();
out("| target | words alloc / free | µs/op alloc / free |");
out("| --- | ---: | ---: |");
for (const { side, rows } of zhou) {
  const a = rows.get("4") as Row;
  const b = rows.get("1024") as Row;
  const r = (x: number, y: number) => (y === 0 ? "n/a" : `${(x / y).toFixed(2)}×`);
  out(
    `| ${side.name} | ${r(b.alloc.words, a.alloc.words)} / ${r(b.free.words, a.free.words)} | ${r(b.alloc.usPerOp, a.alloc.usPerOp)} / ${r(b.free.usPerOp, a.free.usPerOp)} |`,
  );
}

// ---- 2. Gushchin's figure ----
const gushchinSides: Side[] = [
  { name: "bitmap-2017", make: model },
  ...TREES.flatMap((v) => [
    { name: `linux ${v}`, make: harness(v) },
    { name: `linux ${v} --small-unit`, make: harness(v, " --small-unit") },
  ]),
];
const pagesOf = (p: PhaseMetrics) => p.pages.reduce((a, z) => a + z.low + z.high, 0);
out();
out("### Gushchin's figure: `gushchin-2021`, 1,100 groups of 5 objects, 10 of every 11 freed");
out();
out(
  "| target | pages at boot | after alloc-1 | after free-1 (worker not run) | after reclaim-1 (worker run) | held after free / peak | held after reclaim / peak |",
);
out("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
out(
  "| Gushchin, 11,000 cgroups (kB) | 7,488 | 481,152 | 481,152 (without the series) | 135,552 (with it) | 100% | 28.2% |",
);
for (const side of gushchinSides) {
  withTarget(side.make, (t) => {
    const run = new WorkloadRun(t, { boot: metricsBootConfig(8) });
    const boot = run.stats().pagesByNode.reduce((a, b) => a + b, 0);
    for (const phase of workload("gushchin-2021").build({ seed: SEED, objects: 1100, rounds: 1 })) {
      run.runPhase(phase);
    }
    const [alloc, free, reclaim] = run.phases.map(pagesOf) as [number, number, number];
    const pct = (x: number) => `${((100 * x) / alloc).toFixed(1)}%`;
    out(
      `| ${side.name} | ${boot.toLocaleString("en-US")} | ${alloc.toLocaleString("en-US")} | ${free.toLocaleString("en-US")} | ${reclaim.toLocaleString("en-US")} | ${pct(free)} | ${pct(reclaim)} |`,
    );
  });
}
out();
out(`Load average after: ${load()}`);
